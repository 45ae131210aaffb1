"""Shared by the PixivPy scripts: a logged-in AppPixivAPI pointed at pixiv-mock.

tests/tests/common/pixivpy.rs starts the script with the mock's address, CA and demo refresh
token in the environment.
"""

import os

from pixivpy3 import AppPixivAPI


def login():
    """Returns (api, token): PixivPy logged in to the mock with its demo refresh token."""
    # verify= goes to every requests call: TLS is verified against the mock's CA, as a user would
    # verify against the real one.
    api = AppPixivAPI(verify=os.environ["PIXIV_MOCK_CA"])
    # PixivPy's way to talk to another host; auth() then posts /auth/token here too.
    api.hosts = os.environ["PIXIV_MOCK_URL"]
    token = api.auth(refresh_token=os.environ["PIXIV_MOCK_REFRESH_TOKEN"])
    return api, token
