# What deploy/varnish/fss.vcl and default.vcl share, included by both. Their line
# include "./shared.vcl" reads it from the including file's folder: keep the files
# together (e.g. in /etc/varnish/). The including file imports std.

# Called from vcl_recv.
sub fss_one_byte_range {
    # One range of bytes is served (cut from the whole answer, for a pass as for a hit).
    # Any other Range header is ignored, as HTTP asks of a range a server cannot read: a
    # pass with one (several ranges, an end before the start, other units) failed the
    # fetch as a 503.
    if (req.http.Range) {
        if (req.http.Range !~ "^\s*bytes=(\d{1,18}-\d{0,18}|-\d{1,18})\s*$") {
            unset req.http.Range;
        } elsif (req.http.Range ~ "^\s*bytes=\d+-\d+\s*$" &&
                 std.integer(regsub(req.http.Range, "^\s*bytes=(\d+)-.*$", "\1"), 0) >
                 std.integer(regsub(req.http.Range, "^.*-(\d+)\s*$", "\1"), 0)) {
            unset req.http.Range;
        }
    }
}

# When the application does not answer (down, restarting, failing), the visitor gets a
# Swedish page of ours, not Varnish's own English "Guru Meditation" page: 503 with
# Retry-After, never stored. Inline CSS, since the site's style sheet comes from the
# application too. (Varnish has no translation machinery: the text is written here.)
sub fss_unavailable_page {
    synthetic({"<!DOCTYPE html>
<html lang="sv">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="robots" content="noindex">
<title>Sidan kan inte visas just nu – Föreningen Sveriges socialchefer</title>
<style>
body { margin: 0; padding: 2rem 1rem; font-family: system-ui, sans-serif; line-height: 1.5; color: #1a1a1a; background: #fff; }
main { max-width: 40rem; margin: 0 auto; }
a { color: #0b4f8a; }
</style>
</head>
<body>
<main>
<p>Föreningen Sveriges socialchefer</p>
<h1>Sidan kan inte visas just nu</h1>
<p>Webbplatsen svarar inte för tillfället, till exempel medan den uppdateras. Försök igen om en liten stund.</p>
<p>Skickade du ett formulär? Gå tillbaka i webbläsaren och skicka det igen om en stund: det du skrev finns oftast kvar.</p>
<p>Brådskar det kan du mejla till <a href="mailto:info@socialchefer.se">info@socialchefer.se</a>.</p>
</main>
</body>
</html>
"});
}

sub vcl_backend_error {
    set beresp.http.Content-Type = "text/html; charset=utf-8";
    set beresp.http.Cache-Control = "no-store";
    set beresp.http.Retry-After = "30";
    set beresp.ttl = 0s;
    call fss_unavailable_page;
    return (deliver);
}

sub vcl_synth {
    if (resp.status >= 500) {
        set resp.http.Content-Type = "text/html; charset=utf-8";
        set resp.http.Cache-Control = "no-store";
        set resp.http.Retry-After = "30";
        call fss_unavailable_page;
    } else {
        # PURGE and BAN answers, for the machines that send them.
        set resp.http.Content-Type = "text/plain; charset=utf-8";
        synthetic(resp.reason + {"
"});
    }
    return (deliver);
}
