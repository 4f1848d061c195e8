//! The request builder the Backend still uses, on top of [`Route`]s. To be replaced by typed
//! endpoints in [`super::routes`].

use reqwest::{Method, Response};
use serde::Serialize;
use serde::de::DeserializeOwned;

use super::endpoint::{Route, read_json};
use super::handle::Platform;
use crate::{Configuration, Result};

pub(crate) struct PlatformRequest<'a> {
    config: &'a Configuration,
    route: Route,
}

impl Configuration {
    /// A request to a REST route.
    pub(crate) fn request(&self, method: Method, path: &str) -> PlatformRequest<'_> {
        let path = path.to_owned();
        let route = match method {
            Method::POST => Route::post(path),
            Method::PATCH => Route::patch(path),
            Method::DELETE => Route::delete(path),
            _ => Route::get(path),
        };
        PlatformRequest {
            config: self,
            route,
        }
    }
}

impl PlatformRequest<'_> {
    pub(crate) fn header(mut self, name: &'static str, value: impl Into<String>) -> Self {
        self.route = self.route.header(name, value);
        self
    }

    pub(crate) fn query(mut self, name: &'static str, value: impl Into<String>) -> Self {
        self.route = self.route.query(name, value);
        self
    }

    pub(crate) fn json(mut self, body: &impl Serialize) -> Self {
        self.route = self.route.json(body);
        self
    }

    pub(crate) async fn send(self) -> Result<Response> {
        Platform::from(self.config).send_route(self.route).await
    }

    pub(crate) async fn send_json<T: DeserializeOwned>(self) -> Result<T> {
        let platform = Platform::from(self.config);
        let context = format!("{} {}", self.route.method, platform.url(&self.route));
        let response = platform.send_route(self.route).await?;
        let content_type = response
            .headers()
            .get(reqwest::header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .unwrap_or("")
            .to_owned();
        let body = response
            .bytes()
            .await
            .map_err(|e| crate::Error::Transport {
                method: context.clone(),
                url: String::new(),
                message: super::error_text::error_chain(&e),
            })?;
        read_json(&context, &content_type, &body)
    }
}
