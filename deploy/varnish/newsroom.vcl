# Varnish in front of Newsroom (README: "Varnish in front"). Varnish 7 with
# varnish-modules' xkey. It faces the internet (behind a TLS terminator, which
# sets X-Forwarded-Proto), buffers slow and idle clients so that they never
# hold a gunicorn worker, and caches what Newsroom says it may: pages carry
# `Cache-Control: s-maxage=N` and an `xkey` header naming what they show, and
# Newsroom purges those keys on every committed change (reader/purgers.py).
vcl 4.1;

import std;
import xkey;

# `make varnish` and the tests write the backend's port here.
backend default {
    .host = "127.0.0.1";
    .port = "8000";
    .connect_timeout = 2s;
    .first_byte_timeout = 30s;
    # Sick when Newsroom does not answer at all: only then are expired copies
    # served (grace, below). While it answers, it serves its own copies, or
    # its own stale ones when its database is down.
    .probe = {
        .url = "/robots.txt";
        .interval = 2s;
        .timeout = 1s;
        .window = 3;
        .threshold = 2;
    }
}

# Who may purge: Newsroom's own hosts.
acl purgers {
    "127.0.0.1";
    "::1";
}

sub vcl_recv {
    if (req.method == "PURGE") {
        if (client.ip !~ purgers) {
            return (synth(403, "Forbidden"));
        }
        # A hard purge: the next reader gets the change. Varnish sends one
        # fetch per page to Newsroom and holds the other requests until it
        # lands (request coalescing), and Newsroom answers it from its own
        # cache when the page did not change.
        set req.http.n-gone = xkey.purge(req.http.xkey-purge);
        return (synth(200, "Purged " + req.http.n-gone));
    }
    if (req.method != "GET" && req.method != "HEAD") {
        return (pass);
    }
    # An expired copy is not served while Newsroom answers: a scheduled
    # article appears when its time comes (its pages' TTL ends then).
    if (std.healthy(req.backend_hint)) {
        set req.grace = 0s;
    }
    # Staff (a session cookie), the admin, previews and search are never cached.
    if (req.url ~ "^/(admin|preview|search)(/|$)" || req.http.Cookie ~ "(^|;\s*)sessionid=") {
        return (pass);
    }
    # Readers' other cookies (analytics, consent) must not split the cache.
    unset req.http.Cookie;
    unset req.http.Authorization;
    return (hash);
}

sub vcl_hash {
    # Pages name their own scheme (canonical and Open Graph URLs).
    hash_data(req.http.X-Forwarded-Proto);
}

sub vcl_backend_response {
    # A 5xx while refreshing a retired copy: keep serving the copy (stale-if-error).
    if (beresp.status >= 500 && bereq.is_bgfetch) {
        return (abandon);
    }
    if (beresp.http.Set-Cookie || beresp.status >= 500) {
        set beresp.uncacheable = true;
        set beresp.ttl = 0s;
        return (deliver);
    }
    # Retired or expired copies are served while a fresh one is fetched, and
    # for an hour if Newsroom cannot answer (as Newsroom itself does).
    set beresp.grace = 1h;
    return (deliver);
}

sub vcl_backend_error {
    # A worker killed mid-request (or restarting): try once more, on another.
    if (bereq.retries < 1) {
        return (retry);
    }
}

sub vcl_deliver {
    if (obj.hits > 0) {
        set resp.http.X-Varnish-Cache = "HIT";
    } else {
        set resp.http.X-Varnish-Cache = "MISS";
    }
    unset resp.http.xkey;
    unset resp.http.Via;
}
