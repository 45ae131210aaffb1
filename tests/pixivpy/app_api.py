"""Calls every illust, user, bookmark and follow method of PixivPy's AppPixivAPI against
pixiv-mock, following every list's next_url with PixivPy's own parse_qs, plus set_auth,
set_accept_language and req_auth=False.

Run by tests/tests/pixivpy.rs, which checks the JSON report against the mock's data and request
log. A Pixiv error body (PixivPy returns it instead of raising) stops the script with the method's
name, so the Rust side shows which call the mock got wrong.
"""

import json
import os
import sys

from pixivpy3 import AppPixivAPI

from mockapi import login

illust_id = int(os.environ["PIXIV_ILLUST_ID"])
ugoira_id = int(os.environ["PIXIV_UGOIRA_ID"])
user_id = int(os.environ["PIXIV_USER_ID"])
followee_id = int(os.environ["PIXIV_FOLLOWEE_ID"])

api, _ = login()
report = {}


def checked(name, result):
    if "error" in result:
        sys.exit(f"{name}: Pixiv error body: {json.dumps(result, ensure_ascii=False)}")
    return result


def key_of(item):
    if "id" in item:
        return item["id"]
    if "user" in item:
        return item["user"]["id"]
    return item["name"]


def pages(name, method, items_key, *args, **kwargs):
    """Every page of a list, followed with parse_qs(next_url) as PixivPy documents it."""
    seen = []
    result = checked(name, method(*args, **kwargs))
    while True:
        seen.append([key_of(i) for i in result[items_key]])
        qs = api.parse_qs(result.next_url)
        if qs is None:
            break
        if len(seen) > 20:
            sys.exit(f"{name}: more than 20 pages")
        result = checked(name, method(**qs))
    report[name] = seen
    return seen


def one(name, result):
    report[name] = checked(name, result)
    return report[name]


one("illust_detail", api.illust_detail(illust_id))
one("ugoira_metadata", api.ugoira_metadata(ugoira_id))
pages("illust_related", api.illust_related, "illusts", illust_id)
pages("illust_recommended", api.illust_recommended, "illusts", include_ranking_illusts=True)
pages("illust_ranking", api.illust_ranking, "illusts", "week")
one("trending_tags_illust", api.trending_tags_illust())
pages("search_illust", api.search_illust, "illusts", "猫")
pages("search_user", api.search_user, "user_previews", "pixiv")
pages("illust_new", api.illust_new, "illusts")
one("user_detail", api.user_detail(user_id))
pages("user_illusts", api.user_illusts, "illusts", user_id)
pages("user_related", api.user_related, "user_previews", user_id)
pages("user_recommended", api.user_recommended, "user_previews")
pages("user_follower", api.user_follower, "user_previews", user_id)
pages("user_mypixiv", api.user_mypixiv, "user_previews", user_id)
pages("user_list", api.user_list, "user_previews", user_id)

# Bookmarks: add with two tags (PixivPy sends them space-joined in one tags[]), read the detail,
# the list and the tag counts, then delete.
one("illust_bookmark_add", api.illust_bookmark_add(illust_id, "private", tags=["猫", "mine"]))
one("illust_bookmark_detail", api.illust_bookmark_detail(illust_id))
pages("user_bookmarks_illust", api.user_bookmarks_illust, "illusts", api.user_id, restrict="private")
pages("user_bookmark_tags_illust", api.user_bookmark_tags_illust, "bookmark_tags", api.user_id, restrict="private")
one("illust_bookmark_delete", api.illust_bookmark_delete(illust_id))
report["bookmark_detail_after_delete"] = checked("illust_bookmark_detail", api.illust_bookmark_detail(illust_id))

# Follows: follow, the following list and feed show it, unfollow.
one("user_follow_add", api.user_follow_add(followee_id))
pages("user_following", api.user_following, "user_previews", api.user_id)
pages("illust_follow", api.illust_follow, "illusts")
one("user_follow_delete", api.user_follow_delete(followee_id))

# The AI setting, then a search says it.
one("user_edit_ai_show_settings", api.user_edit_ai_show_settings("false"))
report["show_ai_after_edit"] = checked("search_illust", api.search_illust("猫")).show_ai

# req_auth=False: the logged-out recommendations; a work needs the login (Pixiv's error body).
report["nologin_recommended"] = [i.id for i in checked("illust_recommended", api.illust_recommended(req_auth=False)).illusts]
report["nologin_detail_error"] = "error" in api.illust_detail(illust_id, req_auth=False)

# set_auth: a second client with the first one's access token only.
other = AppPixivAPI(verify=os.environ["PIXIV_MOCK_CA"])
other.hosts = os.environ["PIXIV_MOCK_URL"]
other.set_auth(api.access_token)
report["set_auth_user"] = checked("user_detail", other.user_detail(user_id)).user.id

# set_accept_language: tags' translated_name in Chinese.
api.set_accept_language("zh-cn")
report["zh_tags"] = checked("illust_detail", api.illust_detail(illust_id)).illust.tags

json.dump(report, sys.stdout, ensure_ascii=False)
