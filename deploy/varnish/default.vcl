vcl 4.1;
# Varnish in front of the fss-site application servers (example; adjust the addresses).
#
#   client ─HTTPS→ TLS proxy (nginx) ─HTTP→ Varnish ─HTTP→ gunicorn on app1, app2, …
#
# - Anonymous GET/HEAD page views are cached; the admin, health checks, POSTs and anyone
#   with a session cookie go straight to the application.
# - Wagtail purges a page when it is published (wagtail.contrib.frontend_cache, setting
#   FRONTEND_CACHE_URL=http://<this varnish>:6081). PURGE is accepted only from this host
#   and the application servers, and never when it came through the TLS proxy.
# - HTML lives a short time (listings and feeds are not purged individually); static files
#   have hashed names and live long.

import std;
import directors;

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
    .first_byte_timeout = 35s;   # just above gunicorn's timeout
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

    if (req.method == "PURGE") {
        # The TLS proxy always sets X-Forwarded-Proto; Wagtail's purge requests never do.
        # So a PURGE from the internet relayed by a proxy on this host is refused too.
        if (!client.ip ~ purge || req.http.X-Forwarded-Proto) {
            return (synth(405, "Not allowed"));
        }
        return (purge);
    }
    if (req.method == "BAN") {
        return (synth(405, "Not allowed"));
    }

    # Only the TLS proxy may say the request was HTTPS; requests without the header are
    # plain HTTP (the application redirects them, except health checks).
    if (req.method != "GET" && req.method != "HEAD") {
        return (pass);
    }
    if (req.url ~ "^/(admin|health|documents)/") {
        return (pass);
    }
    # Logged-in editors (session cookie) see the user bar and drafts: never cached.
    if (req.http.Cookie ~ "(^|;\s*)sessionid=") {
        return (pass);
    }
    # Anonymous visitors: cookies play no part in the page, so one cached copy fits all.
    unset req.http.Cookie;
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
    # Never store what sets a cookie or says it is private.
    if (beresp.http.Set-Cookie || beresp.http.Cache-Control ~ "(private|no-cache|no-store)") {
        set beresp.uncacheable = true;
        set beresp.ttl = 120s;
        return (deliver);
    }
    if (bereq.url ~ "^/static/") {
        set beresp.ttl = 30d;
    } elsif (beresp.status == 200 || beresp.status == 301 || beresp.status == 404) {
        # Published pages are purged by Wagtail; listings, feeds and the sitemap expire.
        set beresp.ttl = 5m;
        set beresp.grace = 1h;   # serve a stale copy while the servers are down
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
    unset resp.http.Via;
    unset resp.http.X-Varnish;
    return (deliver);
}
