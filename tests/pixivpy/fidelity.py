"""Drives the real PixivPy (pixivpy3 from PyPI) against pixiv-mock.

Run by tests/tests/pixivpy.rs, which starts the mock, passes its address in the environment and
checks this script's JSON report (stdout) against the mock's own data and request log. Nothing here
asserts on the mock's data: the Rust side does, so a wrong answer shows as a readable diff there.
"""

import json
import os
import sys

from mockapi import login

refresh_token = os.environ["PIXIV_MOCK_REFRESH_TOKEN"]
out_dir = os.environ["PIXIV_OUT_DIR"]
illust_id = int(os.environ["PIXIV_ILLUST_ID"])
related_id = int(os.environ["PIXIV_RELATED_ID"])

api, token = login()

report = {
    "user_id": str(api.user_id),
    "access_token_set": bool(api.access_token),
    "refresh_token_rotated": api.refresh_token != refresh_token,
    "expires_in": token.response.expires_in,
}

detail = api.illust_detail(illust_id)
illust = detail.illust
report["illust"] = {
    "id": illust.id,
    "title": illust.title,
    "page_count": illust.page_count,
    "single_original": illust.meta_single_page.get("original_image_url"),
    "page_originals": [p.image_urls.original for p in illust.meta_pages],
}

# user_illusts paged with parse_qs(next_url), PixivPy's documented idiom.
pages = []
result = api.user_illusts(illust.user.id)
while True:
    pages.append([i.id for i in result.illusts])
    qs = api.parse_qs(result.next_url)
    if qs is None:
        break
    result = api.user_illusts(**qs)
report["user_illusts_pages"] = pages

# related works: next_url carries seed_illust_ids[0] and viewed[0]..viewed[29], as Pixiv's;
# parse_qs folds each into a list (keeping only the last viewed[i]) and PixivPy sends them as [].
related_pages = []
related_seeds = []
result = api.illust_related(related_id)
while True:
    related_pages.append([i.id for i in result.illusts])
    qs = api.parse_qs(result.next_url)
    if qs is None:
        break
    related_seeds.append(qs.get("seed_illust_ids"))
    result = api.illust_related(**qs)
report["related_pages"] = related_pages
report["related_seeds"] = related_seeds

# download the first original page with PixivPy's own download().
original = report["illust"]["single_original"] or report["illust"]["page_originals"][0]
downloaded = api.download(original, path=out_dir)
report["download"] = {"url": original, "written": downloaded, "name": os.path.basename(original)}

json.dump(report, sys.stdout)
