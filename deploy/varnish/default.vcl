vcl 4.1;
# Varnish in front of the fss-site application servers (example; adjust the addresses).
#
#   client ─HTTPS→ TLS proxy (nginx) ─HTTP→ Varnish ─HTTP→ granian on app1, app2, …
#
# - Anonymous GET/HEAD page views are cached; the admin, health checks, POSTs and anyone
#   with a session cookie go straight to the application.
# - Wagtail purges a page when it is published (wagtail.contrib.frontend_cache, setting
#   FRONTEND_CACHE_URL=http://<this varnish>:6081), and after every committed change the
#   application sends BAN / (header X-Ban-Url: <regex of paths>), which drops every
#   listing, feed, topic page and sitemap that might show it (fss_site/cache.py).
#   PURGE and BAN are accepted only from this host and the application servers, and never
#   when they came through the TLS proxy.
# - HTML lives as long as the application's s-maxage says; static files have hashed names
#   and live long. A stale copy is served only while every application server is down.

import std;
import directors;

# The Range rule and the error pages, the same in both VCLs.
include "./shared.vcl";

probe fss_ready {
    # 200 while the database answers; the cache may be degraded.
    .request =
        "GET /health/ready/ HTTP/1.1"
        "Host: www.socialchefer.se"
        "Connection: close"
        "User-Agent: varnish-probe";
    .timeout = 2s;
    .interval = 5s;
    .window = 5;
    .threshold = 3;
}

backend app1 {
    .host = "10.0.0.31";
    .port = "8000";
    .probe = fss_ready;
    .connect_timeout = 2s;
    .first_byte_timeout = 35s;   # bounds a slow request: the app server has no timeout
    .between_bytes_timeout = 10s;
}

backend app2 {
    .host = "10.0.0.32";
    .port = "8000";
    .probe = fss_ready;
    .connect_timeout = 2s;
    .first_byte_timeout = 35s;
    .between_bytes_timeout = 10s;
}

# Who may purge: this machine and the application servers. Nothing else.
acl purge {
    "localhost";
    "127.0.0.1";
    "::1";
    "10.0.0.31";
    "10.0.0.32";
}

sub vcl_init {
    new app = directors.round_robin();
    app.add_backend(app1);
    app.add_backend(app2);
}

sub vcl_recv {
    set req.backend_hint = app.backend();

    # Only one range of bytes (shared.vcl).
    call fss_one_byte_range;

    if (req.method == "PURGE" || req.method == "BAN") {
        # The TLS proxy always sets X-Forwarded-Proto; the application's requests never do.
        # So a PURGE or BAN from the internet relayed by a proxy on this host is refused too.
        if (!client.ip ~ purge || req.http.X-Forwarded-Proto) {
            return (synth(405, "Not allowed"));
        }
        if (req.method == "PURGE") {
            return (purge);
        }
        if (req.http.X-Ban-Url) {
            ban("obj.http.X-Fss-Url ~ " + req.http.X-Ban-Url);
        } else {
            ban("obj.http.X-Fss-Url ~ ^/");
        }
        return (synth(200, "Banned"));
    }
    # A stale copy only while the application is down, never instead of a fresh page.
    if (std.healthy(req.backend_hint)) {
        set req.grace = 0s;
    }

    # Only the TLS proxy may say the request was HTTPS; requests without the header are
    # plain HTTP (the application redirects them, except health checks).
    if (req.method != "GET" && req.method != "HEAD") {
        return (pass);
    }
    if (req.url ~ "^/(admin|health|documents)/") {
        return (pass);
    }
    # Logged-in editors (session cookie) see the user bar and drafts, and visitors with
    # messages see them: never cached.
    if (req.http.Cookie ~ "(^|;\s*)(sessionid|messages)=") {
        return (pass);
    }
    # Anonymous visitors: cookies play no part in the page and the site has one language,
    # so one cached copy fits all.
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
    # Never store what sets a cookie or says it is private.
    if (beresp.http.Set-Cookie || beresp.http.Cache-Control ~ "(private|no-cache|no-store)") {
        set beresp.uncacheable = true;
        set beresp.ttl = 120s;
        return (deliver);
    }
    if (bereq.url ~ "^/static/") {
        set beresp.ttl = 30d;
    } elsif (beresp.status == 200 && beresp.http.Cache-Control ~ "s-maxage") {
        # The TTL comes from s-maxage; every change BANs the copies, so they are never
        # stale while the servers are up. Kept an hour longer for when they are down.
        set beresp.grace = 1h;
    } elsif (beresp.status == 301 || beresp.status == 404) {
        set beresp.ttl = 1m;
    } else {
        set beresp.ttl = 0s;
        set beresp.uncacheable = true;
    }
    return (deliver);
}

sub vcl_deliver {
    # Browsers and any CDN in front revalidate HTML; Varnish itself is purged.
    if (req.url !~ "^/static/" && !resp.http.Cache-Control) {
        set resp.http.Cache-Control = "no-cache";
    }
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
