"""Drives the real PixivPy's novel, comment, webview and showcase methods against pixiv-mock.

Run by tests/tests/pixivpy_novels.rs, which checks this script's JSON report (stdout) against the
mock's own data and request log. Every list is paged PixivPy's way: `parse_qs(next_url)` handed
back to the same method until `next_url` is null. Nothing is asserted here.
"""

import json
import os
import sys

from mockapi import login

api, _token = login()
base = os.environ["PIXIV_MOCK_URL"]
novel_id = int(os.environ["PIXIV_NOVEL_ID"])
series_id = int(os.environ["PIXIV_SERIES_ID"])
user_id = int(os.environ["PIXIV_USER_ID"])
illust_id = int(os.environ["PIXIV_ILLUST_ID"])
article_id = int(os.environ["PIXIV_ARTICLE_ID"])

# showcase_article() always calls https://www.pixiv.net: send that host's calls to the mock,
# which plays the web host too. PixivPy's own code builds the request and parses the answer.
_requests_call = api.requests_call


def _to_mock(method, url, *args, **kwargs):
    if url.startswith("https://www.pixiv.net/"):
        url = base + url[len("https://www.pixiv.net") :]
    return _requests_call(method, url, *args, **kwargs)


api.requests_call = _to_mock


def pages(method, key, *args, **kwargs):
    """Every page of a list: the ids of `key` per page, and the parse_qs of every next_url."""
    out, queries = [], []
    result = method(*args, **kwargs)
    while True:
        if "error" in result:
            raise SystemExit(f"{method.__name__}: {result.error}")
        out.append([item.id for item in result[key]])
        qs = api.parse_qs(result.next_url)
        if qs is None:
            return out, queries
        queries.append(qs)
        if len(out) > 20:
            raise SystemExit(f"{method.__name__}: pagination never ends")
        result = method(**qs)


report = {}

detail = api.novel_detail(novel_id)
report["novel_detail"] = {
    "id": detail.novel.id,
    "title": detail.novel.title,
    "series_id": detail.novel.series.id,
    "text_length": detail.novel.text_length,
}
report["user_novels"], _ = pages(api.user_novels, "novels", user_id)
report["novel_series"], report["novel_series_qs"] = pages(api.novel_series, "novels", series_id)
report["search_novel"], report["search_novel_qs"] = pages(
    api.search_novel, "novels", "猫", search_target="text", start_date="2024-01-01"
)
report["user_bookmarks_novel"], report["user_bookmarks_novel_qs"] = pages(
    api.user_bookmarks_novel, "novels", int(api.user_id)
)
report["user_bookmarks_novel_private"], _ = pages(
    api.user_bookmarks_novel, "novels", int(api.user_id), restrict="private"
)
report["novel_new"], report["novel_new_qs"] = pages(api.novel_new, "novels")
report["novel_follow"], _ = pages(api.novel_follow, "novels", restrict="all")
report["novel_recommended"], report["novel_recommended_qs"] = pages(
    api.novel_recommended, "novels", include_ranking_novels=True
)
report["novel_comments"], _ = pages(
    api.novel_comments, "comments", novel_id, include_total_comments=True
)
report["illust_comments"], _ = pages(api.illust_comments, "comments", illust_id)

webview = api.webview_novel(novel_id)
report["webview_novel"] = {
    "id": webview.id,
    "title": webview.title,
    "text": webview.text,
    "seriesId": webview.seriesId,
}
raw = api.webview_novel(novel_id, raw=True)
report["webview_raw_has_script"] = "Object.defineProperty(window, 'pixiv'" in raw
report["novel_text"] = api.novel_text(novel_id).novel_text == webview.text

article = api.showcase_article(article_id)
report["showcase_article"] = {"error": article.error, "id": article.body[0].id}

json.dump(report, sys.stdout, ensure_ascii=False)
