//! Which user-chosen LLM endpoints (an agent's `llm_api_base`) may be called: never a metadata
//! or link-local address; in xpander cloud also never loopback, private, carrier-grade NAT or
//! `localhost` names, which belong to the platform itself.
//!
//! Only what the URL spells is checked (names and literal addresses). The Python SDK also
//! resolves names through DNS; a Rust caller that needs that guard should resolve and check
//! with its own resolver.

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};

use reqwest::Url;

const METADATA_NAMES: [&str; 5] = [
    "metadata",
    "metadata.google.internal",
    "instance-data",
    "instance-data.ec2.internal",
    "metadata.azure.com",
];

/// Why the endpoint may not be called, or `None`. URLs without a scheme are not checked, as
/// in the Python SDK.
pub(crate) fn refusal(base_url: Option<&str>, cloud: bool) -> Option<&'static str> {
    let raw = base_url?.trim();
    if !raw.contains("://") {
        return None;
    }
    let Ok(url) = Url::parse(raw) else {
        return Some("an endpoint that is not an http(s) URL");
    };
    if !matches!(url.scheme(), "http" | "https") {
        return Some("an endpoint that is not an http(s) URL");
    }
    let Some(host) = url.host_str() else {
        return Some("an endpoint that is not an http(s) URL");
    };
    let host = host
        .trim_matches(['[', ']'])
        .trim_end_matches('.')
        .to_ascii_lowercase();
    let refused = match host.parse::<IpAddr>() {
        Ok(ip) => address_refused(ip, cloud),
        Err(_) => {
            METADATA_NAMES.contains(&host.as_str())
                || (cloud && (host == "localhost" || host.ends_with(".localhost")))
        }
    };
    refused.then_some("an endpoint at a private, cluster or metadata address")
}

fn address_refused(ip: IpAddr, cloud: bool) -> bool {
    let ip = match ip {
        IpAddr::V6(v6) => v6.to_ipv4_mapped().map_or(IpAddr::V6(v6), IpAddr::V4),
        v4 => v4,
    };
    if ip.is_loopback() {
        return cloud;
    }
    match ip {
        IpAddr::V4(v4) => {
            v4.is_link_local()
                || v4.is_multicast()
                || v4.is_unspecified()
                || is_reserved_v4(v4)
                || (cloud && (v4.is_private() || is_cgnat(v4)))
        }
        IpAddr::V6(v6) => {
            v6 == Ipv6Addr::new(0xfd00, 0xec2, 0, 0, 0, 0, 0, 0x254)
                || (v6.segments()[0] & 0xffc0) == 0xfe80
                || v6.is_multicast()
                || v6.is_unspecified()
                || (cloud && (v6.segments()[0] & 0xfe00) == 0xfc00)
        }
    }
}

fn is_cgnat(ip: Ipv4Addr) -> bool {
    let [a, b, ..] = ip.octets();
    a == 100 && (64..128).contains(&b)
}

/// 240.0.0.0/4 (and the broadcast address), which Python's `is_reserved` covers.
fn is_reserved_v4(ip: Ipv4Addr) -> bool {
    ip.octets()[0] >= 240
}

#[cfg(test)]
mod tests {
    use super::refusal;

    #[test]
    fn metadata_is_refused_everywhere() {
        for url in [
            "http://169.254.169.254/latest",
            "http://metadata.google.internal/v1",
            "http://[fd00:ec2::254]/",
            "http://[::ffff:169.254.169.254]/",
        ] {
            assert!(refusal(Some(url), false).is_some(), "{url}");
        }
    }

    #[test]
    fn private_hosts_only_in_cloud() {
        for url in [
            "http://localhost:11434/v1",
            "http://10.0.0.5/v1",
            "http://127.0.0.1:8000",
        ] {
            assert!(refusal(Some(url), false).is_none(), "{url}");
            assert!(refusal(Some(url), true).is_some(), "{url}");
        }
        assert!(refusal(Some("https://api.openai.com/v1"), true).is_none());
        assert!(refusal(Some("api.openai.com/v1"), true).is_none());
        assert!(refusal(None, true).is_none());
    }
}
