//! Fetching an input file's text for the prompt: only from hosts the [guard](super::guard)
//! allows, each redirect checked again, within a size cap and one timeout for the whole fetch.

use std::net::SocketAddr;
use std::sync::{Arc, OnceLock};
use std::time::Duration;

use reqwest::dns::{Addrs, Name, Resolve, Resolving};
use reqwest::header::{CONTENT_TYPE, LOCATION};
use reqwest::{Client, Response, Url};

use super::guard::{self, Reach};
use crate::platform::error_text::error_chain;

/// How long fetching one file may take, redirects and body included.
const FILE_FETCH_TIMEOUT: Duration = Duration::from_secs(10);

/// How many redirects a fetch follows.
const MAX_REDIRECTS: usize = 5;

/// The default cap on a file's size: 4 MiB.
pub(crate) const DEFAULT_MAX_FILE_BYTES: u64 = 4 * 1024 * 1024;

/// The variable that sets the cap, in bytes.
pub(crate) const MAX_FILE_BYTES_VAR: &str = "XPANDER_MAX_FILE_BYTES";

const REFUSED: &str = "not fetched: the URL names a private, loopback, link-local or metadata \
                       address, which task files may not";

/// The cap on a file's size: `XPANDER_MAX_FILE_BYTES` when it is a positive number of bytes.
pub(crate) fn max_file_bytes(var: Option<&str>) -> u64 {
    var.and_then(|v| v.trim().parse().ok())
        .filter(|&n| n > 0)
        .unwrap_or(DEFAULT_MAX_FILE_BYTES)
}

/// What a fetch may do.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Limits {
    /// Whether loopback and private addresses may be fetched.
    pub(crate) allow_local: bool,
    /// The most bytes read.
    pub(crate) max_bytes: u64,
    /// The whole fetch's time.
    pub(crate) timeout: Duration,
}

impl Limits {
    pub(crate) fn new(allow_local: bool) -> Self {
        Self {
            allow_local,
            max_bytes: max_file_bytes(std::env::var(MAX_FILE_BYTES_VAR).ok().as_deref()),
            timeout: FILE_FETCH_TIMEOUT,
        }
    }
}

/// The file's text, or `Error: …` saying why there is none.
pub(crate) async fn text(url: &str, limits: Limits) -> String {
    let fetched = tokio::time::timeout(limits.timeout, fetch(url, limits)).await;
    match fetched {
        Ok(Ok(text)) => text,
        Ok(Err(problem)) => format!("Error: {problem}"),
        Err(_) => format!(
            "Error: the file took longer than {} s to fetch",
            limits.timeout.as_secs_f64()
        ),
    }
}

async fn fetch(url: &str, limits: Limits) -> Result<String, String> {
    let mut url = Url::parse(url).map_err(|e| format!("not a URL: {e}"))?;
    let client = client(limits.allow_local);
    let mut redirects = 0;
    let mut response = loop {
        match guard::of_url(&url) {
            None => return Err("not an http(s) URL".into()),
            Some(reach) if !reach.allowed(limits.allow_local) => return Err(REFUSED.into()),
            Some(_) => {}
        }
        let response = client
            .get(url.clone())
            .send()
            .await
            .map_err(|e| error_chain(&e))?;
        if !response.status().is_redirection() {
            break response;
        }
        let Some(next) = location(&response) else {
            break response;
        };
        redirects += 1;
        if redirects > MAX_REDIRECTS {
            return Err(format!("more than {MAX_REDIRECTS} redirects"));
        }
        url = next;
    };
    response = response.error_for_status().map_err(|e| error_chain(&e))?;
    if response
        .content_length()
        .is_some_and(|n| n > limits.max_bytes)
    {
        return Err(too_large(limits.max_bytes));
    }
    let charset = charset(&response);
    let mut body = Vec::new();
    while let Some(chunk) = response.chunk().await.map_err(|e| error_chain(&e))? {
        if (body.len() + chunk.len()) as u64 > limits.max_bytes {
            return Err(too_large(limits.max_bytes));
        }
        body.extend_from_slice(&chunk);
    }
    Ok(decode(&body, charset.as_deref()))
}

fn too_large(max: u64) -> String {
    format!("the file is larger than {max} bytes (the cap; set {MAX_FILE_BYTES_VAR} to change it)")
}

/// Where a redirect points, resolved against the URL it came from.
fn location(response: &Response) -> Option<Url> {
    let location = response.headers().get(LOCATION)?.to_str().ok()?;
    response.url().join(location).ok()
}

/// The `charset` of the response's content type.
fn charset(response: &Response) -> Option<String> {
    let content_type = response.headers().get(CONTENT_TYPE)?.to_str().ok()?;
    content_type.split(';').skip(1).find_map(|param| {
        let (name, value) = param.split_once('=')?;
        name.trim()
            .eq_ignore_ascii_case("charset")
            .then(|| value.trim().trim_matches('"').to_owned())
    })
}

/// The body as text in its charset (UTF-8 when none is named), invalid bytes replaced, as
/// `reqwest::Response::text` decodes it.
fn decode(body: &[u8], charset: Option<&str>) -> String {
    let encoding = charset
        .and_then(|label| encoding_rs::Encoding::for_label(label.as_bytes()))
        .unwrap_or(encoding_rs::UTF_8);
    encoding.decode(body).0.into_owned()
}

/// The client for file fetches, one per policy for the process: no redirects (each is checked
/// and followed here), names resolved through the guard, and no idle connections kept (so no
/// connection outlives the tokio runtime that opened it).
fn client(allow_local: bool) -> &'static Client {
    static CLIENTS: [OnceLock<Client>; 2] = [OnceLock::new(), OnceLock::new()];
    CLIENTS[usize::from(allow_local)].get_or_init(|| {
        Client::builder()
            .tls_backend_preconfigured(crate::platform::tls_config(&[b"http/1.1"]))
            .redirect(reqwest::redirect::Policy::none())
            .dns_resolver(Arc::new(GuardedResolver {
                allow_local,
                proxies: proxy_hosts(),
            }))
            .connect_timeout(crate::config::DEFAULT_CONNECT_TIMEOUT)
            .pool_max_idle_per_host(0)
            .http1_only()
            .user_agent(concat!("xpander-rs/", env!("CARGO_PKG_VERSION")))
            .build()
            // As for the platform client: only a broken TLS backend fails here.
            .expect("the HTTP client (rustls) could not be initialised")
    })
}

/// The hosts of the proxies the environment configures (reqwest's `system-proxy` reads the
/// same variables): a proxy on the local network is the operator's choice, not the task's.
/// Through a proxy, only the URL's host as spelled is checked; the proxy resolves it.
fn proxy_hosts() -> Vec<String> {
    ["HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY"]
        .iter()
        .flat_map(|var| [var.to_string(), var.to_ascii_lowercase()])
        .filter_map(|var| std::env::var(var).ok())
        .filter_map(|proxy| {
            let with_scheme = if proxy.contains("://") {
                proxy
            } else {
                format!("http://{proxy}")
            };
            Url::parse(&with_scheme).ok()?.host_str().map(str::to_owned)
        })
        .collect()
}

/// Resolves names through the system resolver and refuses any whose addresses the guard does
/// not allow (except a configured proxy's).
struct GuardedResolver {
    allow_local: bool,
    proxies: Vec<String>,
}

impl Resolve for GuardedResolver {
    fn resolve(&self, name: Name) -> Resolving {
        let host = name.as_str().to_owned();
        let allow_local = self.allow_local || self.proxies.contains(&host);
        Box::pin(async move {
            let addrs: Vec<SocketAddr> =
                tokio::net::lookup_host((host.as_str(), 0)).await?.collect();
            let refused = addrs
                .iter()
                .any(|a| !guard::of_ip(a.ip()).allowed(allow_local));
            if refused || guard::of_host(&host) == Reach::Never {
                return Err(REFUSED.into());
            }
            Ok(Box::new(addrs.into_iter()) as Addrs)
        })
    }
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use reqwest::dns::Resolve;

    use super::{DEFAULT_MAX_FILE_BYTES, GuardedResolver, Limits, decode, max_file_bytes, text};

    #[tokio::test]
    async fn a_server_that_never_answers_times_out() {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let url = format!("http://{}/slow.txt", listener.local_addr().unwrap());
        let hold = tokio::spawn(async move {
            let (_socket, _) = listener.accept().await.unwrap();
            tokio::time::sleep(Duration::from_secs(30)).await;
        });
        let limits = Limits {
            allow_local: true,
            max_bytes: DEFAULT_MAX_FILE_BYTES,
            timeout: Duration::from_millis(200),
        };
        assert_eq!(
            text(&url, limits).await,
            "Error: the file took longer than 0.2 s to fetch"
        );
        hold.abort();
    }

    #[tokio::test]
    async fn names_are_checked_against_the_addresses_they_resolve_to() {
        let name = || "localhost".parse().unwrap();
        let guarded = |allow_local, proxies: &[&str]| GuardedResolver {
            allow_local,
            proxies: proxies.iter().map(|p| p.to_string()).collect(),
        };
        assert!(guarded(false, &[]).resolve(name()).await.is_err());
        let allowed = guarded(true, &[]).resolve(name()).await;
        assert!(allowed.unwrap().all(|a| a.ip().is_loopback()));
        let proxy = guarded(false, &["localhost"]).resolve(name()).await;
        assert!(proxy.is_ok(), "a configured proxy may be local");
    }

    #[test]
    fn the_cap_is_4_mib_unless_the_variable_names_a_positive_size() {
        assert_eq!(max_file_bytes(None), DEFAULT_MAX_FILE_BYTES);
        assert_eq!(max_file_bytes(Some("1024")), 1024);
        assert_eq!(max_file_bytes(Some(" 5 ")), 5);
        for bad in ["", "0", "-1", "4MiB"] {
            assert_eq!(max_file_bytes(Some(bad)), DEFAULT_MAX_FILE_BYTES, "{bad}");
        }
    }

    #[test]
    fn bodies_decode_in_their_charset() {
        assert_eq!(decode("café".as_bytes(), None), "café");
        assert_eq!(decode(b"caf\xe9", Some("iso-8859-1")), "café");
        assert_eq!(decode(b"caf\xff", Some("utf-8")), "caf\u{fffd}");
    }
}
