"""Test settings: the real settings, with a throwaway key and fast hashing."""

import os

os.environ.setdefault(
    "SECRET_KEY", "tests-only-not-a-secret-" + "0123456789abcdefghijklmnopqrstuvwxyz"
)
# The tests describe their own environment; a developer's .env must not leak in.
os.environ.setdefault("ENV_FILE", os.devnull)

from newsroom.settings import *  # noqa: E402, F403

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
STORAGES = {
    **STORAGES,  # noqa: F405
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
SECURE_SSL_REDIRECT = False
# Serve static files straight from static/ (no collectstatic) in browser tests.
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = True
# An in-process cache of the tests' own, whatever CACHE_URL says: tests clear
# it between them, which must never flush a shared Redis.
CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
# Whole-page caching is tested on its own (tests/articles/test_pagecache.py);
# elsewhere a test that reads a page twice wants it rendered twice.
PAGE_CACHE_SECONDS = 0
# A process sees its own bumps at once; rereading the shared version on a
# timer would make query counts depend on how fast the machine runs a test.
# Tests of the cross-process behaviour set it to 0 themselves.
CONTENT_VERSION_CHECK_SECONDS = 3600
