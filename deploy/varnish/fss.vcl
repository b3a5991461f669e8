vcl 4.1;
# Varnish in front of the fss-site application server (production and the benchmark).
#
#   client ─→ (TLS proxy) ─→ Varnish :6081 ─→ granian 127.0.0.1:8000
#
# - Anonymous GET/HEAD requests are cached for as long as the application's Cache-Control
#   says (s-maxage). The application marks logged-in, POST, admin and form responses
#   "private, no-store"; requests with a session cookie are passed without a lookup.
# - Invalidation: the application sends, after every committed change,
#     BAN /  with  X-Ban-Url: <regex>   → every cached page whose path matches is dropped;
#   and Wagtail's front-end cache sends PURGE <path> for a published page.
#   Both are accepted only from this machine (acl purge_clients).
# - deploy/run-stack.sh replaces the backend port below when it starts the stack.

import std;

# The Range rule and the error pages, the same in both VCLs.
include "./shared.vcl";

probe ready {
    .request =
        "GET /health/ready/ HTTP/1.1"
        "Host: localhost"
        "Connection: close"
        "User-Agent: varnish-probe";
    .timeout = 2s;
    .interval = 5s;
    .window = 5;
    .threshold = 3;
    .initial = 3;    # healthy from the start
}

backend app {
    .host = "127.0.0.1";
    .port = "8000";
    .probe = ready;
    .connect_timeout = 2s;
    .first_byte_timeout = 35s;   # bounds a slow request: the app server has no timeout
    .between_bytes_timeout = 10s;
}

acl purge_clients {
    "localhost";
    "127.0.0.1";
    "::1";
}

sub vcl_recv {
    set req.backend_hint = app;

    # Only one range of bytes (shared.vcl).
    call fss_one_byte_range;

    if (req.method == "PURGE" || req.method == "BAN") {
        # Only from this machine, and never relayed by a proxy (which adds the header).
        if (!client.ip ~ purge_clients || req.http.X-Forwarded-Proto) {
            return (synth(405, "Not allowed"));
        }
        if (req.method == "PURGE") {
            return (purge);
        }
        if (req.http.X-Ban-Url) {
            # Lurker-friendly: matched against what each stored object remembers.
            ban("obj.http.X-Fss-Url ~ " + req.http.X-Ban-Url);
        } else {
            ban("obj.http.X-Fss-Url ~ ^/");
        }
        return (synth(200, "Banned"));
    }

    # A stale copy only while the application is down, never as a substitute for a
    # fresh page (after a change, BAN removes the old copies anyway).
    if (std.healthy(req.backend_hint)) {
        set req.grace = 0s;
    }
    if (req.method != "GET" && req.method != "HEAD") {
        return (pass);
    }
    if (req.url ~ "^/(admin|health|documents)/") {
        return (pass);
    }
    # Logged-in editors (session cookie) and visitors with messages: never from the cache.
    if (req.http.Cookie ~ "(^|;\s*)(sessionid|messages)=") {
        return (pass);
    }
    # Anonymous visitors: cookies play no part in the page, and the site has one language,
    # so one stored copy fits everybody.
    unset req.http.Cookie;
    unset req.http.Accept-Language;
    return (hash);
}

sub vcl_hash {
    hash_data(req.url);
    if (req.http.Host) {
        hash_data(req.http.Host);
    }
    # HTTP and HTTPS answers differ (redirect vs page).
    hash_data(req.http.X-Forwarded-Proto);
    return (lookup);
}

sub vcl_backend_response {
    # What the BAN expressions match on (removed again before delivery).
    set beresp.http.X-Fss-Url = bereq.url;
    if (beresp.http.Set-Cookie || beresp.http.Cache-Control ~ "(private|no-cache|no-store)") {
        set beresp.uncacheable = true;
        set beresp.ttl = 120s;
        return (deliver);
    }
    if (bereq.url ~ "^/static/") {
        # Hashed file names: they never change.
        set beresp.ttl = 30d;
    } elsif (beresp.status != 200 || !beresp.http.Cache-Control) {
        set beresp.uncacheable = true;
        set beresp.ttl = 120s;
        return (deliver);
    }
    # Otherwise the TTL comes from s-maxage; kept an hour longer for when the application
    # is down (see req.grace above).
    set beresp.grace = 1h;
    return (deliver);
}

sub vcl_deliver {
    if (obj.hits > 0) {
        set resp.http.X-Varnish-Cache = "HIT";
    } else {
        set resp.http.X-Varnish-Cache = "MISS";
    }
    unset resp.http.X-Fss-Url;
    unset resp.http.Via;
    unset resp.http.X-Varnish;
    return (deliver);
}
