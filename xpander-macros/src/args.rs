//! Parsing the attribute's keys: `test_task = EXPR`, `configuration = EXPR`,
//! `agent_id = "..."`, `name = "..."`, `add_to_graph = bool`, `crate = "path"`.

use syn::meta::ParseNestedMeta;
use syn::{Expr, Lit, LitBool, LitStr, Path};

/// The keys given to one attribute.
#[derive(Default)]
pub struct Args {
    pub test_task: Option<Expr>,
    pub configuration: Option<Expr>,
    pub agent_id: Option<LitStr>,
    pub name: Option<LitStr>,
    pub add_to_graph: Option<LitBool>,
    pub krate: Option<Path>,
}

impl Args {
    /// Parses the attribute's tokens, accepting only `valid` keys.
    pub fn parse(
        macro_name: &str,
        valid: &[&str],
        tokens: proc_macro2::TokenStream,
    ) -> syn::Result<Self> {
        let mut args = Args::default();
        let parser = syn::meta::parser(|meta| args.key(macro_name, valid, meta));
        syn::parse::Parser::parse2(parser, tokens)?;
        Ok(args)
    }

    fn key(&mut self, macro_name: &str, valid: &[&str], meta: ParseNestedMeta) -> syn::Result<()> {
        let key = meta
            .path
            .get_ident()
            .map(ToString::to_string)
            .unwrap_or_default();
        if !valid.contains(&key.as_str()) {
            let listed = valid
                .iter()
                .map(|k| format!("`{k}`"))
                .collect::<Vec<_>>()
                .join(", ");
            return Err(meta.error(format!(
                "unknown `#[{macro_name}]` key `{}`; the valid keys are: {listed}",
                path_text(&meta.path)
            )));
        }
        let duplicate = |meta: &ParseNestedMeta| {
            meta.error(format!(
                "duplicate `#[{macro_name}]` key `{key}`: give it once"
            ))
        };
        match key.as_str() {
            "test_task" => {
                if self.test_task.is_some() {
                    return Err(duplicate(&meta));
                }
                let expr: Expr = meta.value()?.parse()?;
                check_test_task(&expr)?;
                self.test_task = Some(expr);
            }
            "configuration" => {
                if self.configuration.is_some() {
                    return Err(duplicate(&meta));
                }
                self.configuration = Some(meta.value()?.parse()?);
            }
            "agent_id" => {
                if self.agent_id.is_some() {
                    return Err(duplicate(&meta));
                }
                let id: LitStr = meta.value()?.parse().map_err(|e| {
                    syn::Error::new(
                        e.span(),
                        "`agent_id` takes a string literal: `agent_id = \"agent-123\"`",
                    )
                })?;
                if id.value().trim().is_empty() {
                    return Err(syn::Error::new(id.span(), "`agent_id` must not be empty"));
                }
                self.agent_id = Some(id);
            }
            "name" => {
                if self.name.is_some() {
                    return Err(duplicate(&meta));
                }
                let name: LitStr = meta.value()?.parse().map_err(|e| {
                    syn::Error::new(
                        e.span(),
                        "`name` takes a string literal: `name = \"get_weather\"`",
                    )
                })?;
                let text = name.value();
                let valid = !text.is_empty()
                    && text.len() <= 64
                    && text
                        .chars()
                        .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-');
                if !valid {
                    return Err(syn::Error::new(
                        name.span(),
                        "a tool name is 1 to 64 ASCII letters, digits, `_` or `-` (what model APIs accept)",
                    ));
                }
                self.name = Some(name);
            }
            "add_to_graph" => {
                if self.add_to_graph.is_some() {
                    return Err(duplicate(&meta));
                }
                self.add_to_graph = Some(meta.value()?.parse().map_err(|e| {
                    syn::Error::new(e.span(), "`add_to_graph` takes `true` or `false`")
                })?);
            }
            _ => {
                if self.krate.is_some() {
                    return Err(duplicate(&meta));
                }
                let path: LitStr = meta.value()?.parse().map_err(|e| {
                    syn::Error::new(
                        e.span(),
                        "`crate` takes the runtime's path as a string: `crate = \"xr\"`",
                    )
                })?;
                self.krate = Some(path.parse().map_err(|_| {
                    syn::Error::new(
                        path.span(),
                        "`crate` must be a path, e.g. `crate = \"my_sdk::runtime\"`",
                    )
                })?);
            }
        }
        Ok(())
    }
}

/// A literal other than a string can never be a test task; say so on the literal.
fn check_test_task(expr: &Expr) -> syn::Result<()> {
    match expr {
        Expr::Lit(lit) if !matches!(lit.lit, Lit::Str(_)) => Err(syn::Error::new_spanned(
            lit,
            "`test_task` must be a prompt string (`test_task = \"What can you do?\"`) or an \
             expression converting into `LocalTaskTest` (`test_task = LocalTaskTest::new(\"...\")`)",
        )),
        _ => Ok(()),
    }
}

fn path_text(path: &Path) -> String {
    path.segments
        .iter()
        .map(|s| s.ident.to_string())
        .collect::<Vec<_>>()
        .join("::")
}
