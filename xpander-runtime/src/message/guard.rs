//! Which hosts a task's file URL may make the worker fetch from.
//!
//! Task input comes from whoever may create tasks, so a file URL must not turn the worker into
//! a way into its own network:
//!
//! - never: link-local addresses (169.254.0.0/16 and fe80::/10, where clouds serve instance
//!   metadata and credentials), the metadata names and fd00:ec2::254, and unspecified,
//!   multicast and reserved addresses;
//! - local addresses (loopback, private 10/8, 172.16/12 and 192.168/16, carrier-grade NAT
//!   100.64/10, unique-local fc00::/7, and `localhost` names): only for a task from a platform
//!   that is itself at a local address (the devserver, or a platform on the same network,
//!   whose files live there) outside xpander cloud, and for a task built in this process
//!   (not bound to a platform);
//! - public addresses: always.
//!
//! A name is checked as spelled, and every address it resolves to is checked again when the
//! connection is made (so a public name that resolves to a refused address is refused too).

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};

use reqwest::Url;

/// The same names `backend/llm/endpoint.rs` refuses for model endpoints.
const METADATA_NAMES: [&str; 5] = [
    "metadata",
    "metadata.google.internal",
    "instance-data",
    "instance-data.ec2.internal",
    "metadata.azure.com",
];

/// How far from the worker an address is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Reach {
    Public,
    /// Loopback, private, carrier-grade NAT, unique-local, `localhost`.
    Local,
    /// Link-local, metadata, unspecified, multicast, reserved.
    Never,
}

impl Reach {
    /// Whether a fetch may go there.
    pub(crate) fn allowed(self, allow_local: bool) -> bool {
        match self {
            Reach::Public => true,
            Reach::Local => allow_local,
            Reach::Never => false,
        }
    }
}

/// Whether local addresses may be fetched for a task from this platform (`None`: a task built
/// in this process).
pub(crate) fn allows_local(platform: Option<(&str, bool)>) -> bool {
    match platform {
        None => true,
        Some((_, true)) => false,
        Some((base_url, false)) => {
            Url::parse(base_url)
                .ok()
                .and_then(|url| url.host_str().map(of_host))
                == Some(Reach::Local)
        }
    }
}

/// The reach of a URL's host; `None` for a URL that is not http(s) or has no host.
pub(crate) fn of_url(url: &Url) -> Option<Reach> {
    if !matches!(url.scheme(), "http" | "https") {
        return None;
    }
    url.host_str().map(of_host)
}

/// The reach of a host as spelled: a literal address, or a name.
pub(crate) fn of_host(host: &str) -> Reach {
    let host = host
        .trim_matches(['[', ']'])
        .trim_end_matches('.')
        .to_ascii_lowercase();
    if let Ok(ip) = host.parse::<IpAddr>() {
        return of_ip(ip);
    }
    if METADATA_NAMES.contains(&host.as_str()) {
        Reach::Never
    } else if host == "localhost" || host.ends_with(".localhost") {
        Reach::Local
    } else {
        Reach::Public
    }
}

/// The reach of an address.
pub(crate) fn of_ip(ip: IpAddr) -> Reach {
    let ip = match ip {
        IpAddr::V6(v6) => v6.to_ipv4_mapped().map_or(IpAddr::V6(v6), IpAddr::V4),
        v4 => v4,
    };
    match ip {
        IpAddr::V4(v4) => of_v4(v4),
        IpAddr::V6(v6) => of_v6(v6),
    }
}

fn of_v4(ip: Ipv4Addr) -> Reach {
    let [a, b, ..] = ip.octets();
    if ip.is_link_local() || ip.is_multicast() || ip.is_unspecified() || a >= 240 || a == 0 {
        Reach::Never
    } else if ip.is_loopback() || ip.is_private() || (a == 100 && (64..128).contains(&b)) {
        Reach::Local
    } else {
        Reach::Public
    }
}

fn of_v6(ip: Ipv6Addr) -> Reach {
    let first = ip.segments()[0];
    if ip == Ipv6Addr::new(0xfd00, 0xec2, 0, 0, 0, 0, 0, 0x254)
        || (first & 0xffc0) == 0xfe80
        || ip.is_multicast()
        || ip.is_unspecified()
    {
        Reach::Never
    } else if ip.is_loopback() || (first & 0xfe00) == 0xfc00 {
        Reach::Local
    } else {
        Reach::Public
    }
}

#[cfg(test)]
mod tests {
    use reqwest::Url;

    use super::{Reach, allows_local, of_url};

    fn reach(url: &str) -> Option<Reach> {
        of_url(&Url::parse(url).unwrap())
    }

    #[test]
    fn metadata_and_link_local_are_never_fetched() {
        for url in [
            "http://169.254.169.254/latest/meta-data/iam/security-credentials/",
            "http://metadata.google.internal/computeMetadata/v1/",
            "http://METADATA.azure.com./x",
            "http://[fd00:ec2::254]/",
            "http://[::ffff:169.254.169.254]/",
            "http://[fe80::1]/",
            "http://0.0.0.0:8080/",
            "http://0/",
        ] {
            assert_eq!(reach(url), Some(Reach::Never), "{url}");
        }
    }

    #[test]
    fn loopback_private_and_localhost_are_local() {
        for url in [
            "http://127.0.0.1:9000/a.txt",
            "http://localhost/a.txt",
            "http://api.localhost/a.txt",
            "http://10.1.2.3/a.txt",
            "http://172.16.0.9/a.txt",
            "http://192.168.1.1/a.txt",
            "http://100.64.0.1/a.txt",
            "http://[::1]/a.txt",
            "http://[fd12::1]/a.txt",
            "http://2130706433/a.txt", // 127.0.0.1 spelled as a number
        ] {
            assert_eq!(reach(url), Some(Reach::Local), "{url}");
        }
    }

    #[test]
    fn public_hosts_are_public_and_other_schemes_have_no_reach() {
        assert_eq!(
            reach("https://files.example.com/a.txt"),
            Some(Reach::Public)
        );
        assert_eq!(reach("http://8.8.8.8/a.txt"), Some(Reach::Public));
        assert_eq!(reach("file:///etc/passwd"), None);
        assert_eq!(reach("ftp://files.example.com/a.txt"), None);
    }

    #[test]
    fn local_files_only_for_a_local_platform_outside_the_cloud() {
        assert!(allows_local(Some(("http://127.0.0.1:7777", false))));
        assert!(allows_local(Some(("http://10.0.0.5:8080", false))));
        assert!(!allows_local(Some(("http://127.0.0.1:7777", true))));
        assert!(!allows_local(Some(("https://inbound.xpander.ai", false))));
        assert!(allows_local(None), "a task built in this process");
        for url in ["http://127.0.0.1/a", "http://169.254.169.254/a"] {
            let r = reach(url).unwrap();
            assert!(!r.allowed(false));
        }
        assert!(!Reach::Never.allowed(true));
        assert!(Reach::Public.allowed(false));
    }
}
