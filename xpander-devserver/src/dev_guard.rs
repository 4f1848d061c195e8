//! What keeps web pages away from the developer routes (`/` and `/_dev/*`), which need no key.
//!
//! A page on another site can make the browser write to them, and through DNS rebinding (its
//! own name pointed at 127.0.0.1) read them. So, besides the loopback-peer check:
//! - the `Host` must be `127.0.0.1`, `localhost` or `[::1]` (any port): a rebound name fails;
//! - a write (any method but GET and HEAD) with an `Origin` must come from such a host;
//! - a write with a body must say `Content-Type: application/json`, which a page can only send
//!   cross-site after a CORS preflight this server never grants (the raw SSE injection route
//!   takes any body).
//!
//! With `dev_routes_loopback_only` off (serving other machines on purpose), IP-literal hosts
//! are accepted too: a rebound name is never an IP literal.

use std::net::{IpAddr, Ipv6Addr, SocketAddr};

use axum::body::HttpBody;
use axum::extract::{ConnectInfo, Request};
use axum::http::{Method, StatusCode, header};

use crate::error::ApiError;
use crate::faults::glob_matches;
use crate::sse::RAW_ROUTE;

/// Checks a request to a developer route; the 403 or 415 to answer when it fails.
pub(crate) fn check(req: &Request, loopback_only: bool) -> Result<(), ApiError> {
    let forbidden = |message: String| Err(ApiError::new(StatusCode::FORBIDDEN, message));
    let peer = req
        .extensions()
        .get::<ConnectInfo<SocketAddr>>()
        .map(|c| c.0.ip());
    if loopback_only && peer.is_some_and(|ip| !ip.is_loopback()) {
        return forbidden("the developer routes answer loopback clients only".into());
    }
    // The request line's authority (absolute form) and every Host header must pass. A request
    // with neither comes from no browser, which always sends Host.
    let hosts = req.uri().authority().map(|a| a.as_str().to_owned());
    let hosts = hosts.into_iter().chain(
        req.headers()
            .get_all(header::HOST)
            .iter()
            .map(|v| String::from_utf8_lossy(v.as_bytes()).into_owned()),
    );
    for host in hosts {
        if !host_part(&host).is_some_and(|h| allowed_host(h, loopback_only)) {
            return forbidden(format!(
                "Host {host:?} is not 127.0.0.1, localhost or [::1]: the developer routes \
                 need no key, so they refuse other names, which a web page could point here \
                 (DNS rebinding)"
            ));
        }
    }
    if matches!(*req.method(), Method::GET | Method::HEAD) {
        return Ok(());
    }
    for origin in req.headers().get_all(header::ORIGIN) {
        let origin = String::from_utf8_lossy(origin.as_bytes());
        if !origin_allowed(&origin, loopback_only) {
            return forbidden(format!(
                "cross-origin write refused: Origin {origin:?} is not a loopback origin"
            ));
        }
    }
    let has_body = req.body().size_hint().upper() != Some(0);
    if has_body && !glob_matches(RAW_ROUTE, req.uri().path()) {
        let content_type = req
            .headers()
            .get(header::CONTENT_TYPE)
            .map(|v| String::from_utf8_lossy(v.as_bytes()).into_owned());
        if !content_type.as_deref().is_some_and(is_json) {
            return Err(ApiError::new(
                StatusCode::UNSUPPORTED_MEDIA_TYPE,
                format!(
                    "the developer routes take JSON bodies only (Content-Type: \
                     application/json); got {}",
                    content_type.map_or("no Content-Type".into(), |t| format!("{t:?}"))
                ),
            ));
        }
    }
    Ok(())
}

/// `application/json`, with or without parameters, any case.
fn is_json(content_type: &str) -> bool {
    let essence = content_type.split(';').next().unwrap_or_default().trim();
    essence.eq_ignore_ascii_case("application/json")
}

/// The host of `host[:port]` (`[::1]` of `[::1]:9100`); `None` when the port is not a number.
fn host_part(authority: &str) -> Option<&str> {
    let split = if authority.starts_with('[') {
        authority.find(']')? + 1
    } else {
        authority.find(':').unwrap_or(authority.len())
    };
    let (host, port) = authority.split_at(split);
    let port_ok = port.is_empty()
        || port
            .strip_prefix(':')
            .is_some_and(|p| !p.is_empty() && p.bytes().all(|b| b.is_ascii_digit()));
    (port_ok && !host.is_empty()).then_some(host)
}

fn allowed_host(host: &str, loopback_only: bool) -> bool {
    let loopback = host == "127.0.0.1" || host == "[::1]" || host.eq_ignore_ascii_case("localhost");
    loopback || (!loopback_only && is_ip_literal(host))
}

fn is_ip_literal(host: &str) -> bool {
    let v6 = host.strip_prefix('[').and_then(|h| h.strip_suffix(']'));
    host.parse::<IpAddr>().is_ok() || v6.is_some_and(|h| h.parse::<Ipv6Addr>().is_ok())
}

/// An `http` or `https` origin on an allowed host (`null` and other schemes are not).
fn origin_allowed(origin: &str, loopback_only: bool) -> bool {
    let authority = origin
        .strip_prefix("http://")
        .or_else(|| origin.strip_prefix("https://"));
    authority
        .and_then(host_part)
        .is_some_and(|host| allowed_host(host, loopback_only))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hosts_and_origins() {
        for (authority, host) in [
            ("127.0.0.1:9100", Some("127.0.0.1")),
            ("[::1]:1", Some("[::1]")),
            ("localhost", Some("localhost")),
            ("localhost:", None),
            ("localhost:x", None),
            ("[::1", None),
            ("", None),
        ] {
            assert_eq!(host_part(authority), host, "{authority}");
        }
        for host in ["127.0.0.1", "LocalHost", "[::1]"] {
            assert!(allowed_host(host, true), "{host}");
        }
        for host in [
            "evil.example",
            "localhost.evil.example",
            "127.0.0.2",
            "10.0.0.1",
        ] {
            assert!(!allowed_host(host, true), "{host}");
        }
        assert!(allowed_host("10.0.0.1", false) && allowed_host("[fe80::1]", false));
        assert!(!allowed_host("evil.example", false));
        assert!(origin_allowed("http://localhost:3000", true));
        assert!(origin_allowed("https://127.0.0.1", true));
        for origin in ["null", "http://evil.example", "file://", "ftp://localhost"] {
            assert!(!origin_allowed(origin, true), "{origin}");
        }
        assert!(is_json("application/json") && is_json("Application/JSON; charset=utf-8"));
        assert!(!is_json("text/plain") && !is_json("application/jsonx"));
    }
}
