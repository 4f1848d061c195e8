//! `#[register_tool]`: the fn as written, plus the schema of its arguments, a call from JSON,
//! and its registration. Checked here: a doc comment (the model reads it), named owned
//! arguments, the function's shape; the argument and output types are checked by traits.

use proc_macro2::{Span, TokenStream};
use quote::{format_ident, quote, quote_spanned};
use syn::spanned::Spanned;
use syn::{Expr, FnArg, ItemFn, Lit, Meta, Pat, Type};

use crate::args::Args;
use crate::shape::{self, Arity};

const NAME: &str = "register_tool";
const FORMS: &str = "`async fn(a: A, b: B, ..) -> T` or `-> Result<T, E>` (arguments `Deserialize + JsonSchema`, `T: Serialize`, `E: Display`), one argument of a struct type as the whole input, or the same as a plain `fn`";
/// Argument types that are values, not an input struct: gathered into a generated struct.
const PLAIN: [&str; 22] = [
    "String", "bool", "char", "i8", "i16", "i32", "i64", "i128", "isize", "u8", "u16", "u32",
    "u64", "u128", "usize", "f32", "f64", "Option", "Vec", "Value", "HashMap", "BTreeMap",
];

/// Expands `#[register_tool]`. On errors the item is still emitted, next to the errors.
pub fn expand(attr: TokenStream, item: TokenStream) -> TokenStream {
    let item_fn: ItemFn = match syn::parse2(item.clone()) {
        Ok(item_fn) => item_fn,
        Err(_) => {
            let message = format!("`#[{NAME}]` applies to a function; valid forms: {FORMS}");
            let error = syn::Error::new_spanned(&item, message).to_compile_error();
            return quote!(#item #error);
        }
    };
    let args = Args::parse(NAME, &["name", "add_to_graph", "crate"], attr);
    let arity = Arity {
        counts: &[],
        wanted: "any number of arguments",
    };
    let checked = shape::check(&item_fn, NAME, &arity, FORMS)
        .and_then(|_| description(&item_fn))
        .and_then(|doc| Ok((doc, inputs(&item_fn)?)));
    match (args, checked) {
        (Ok(args), Ok((doc, inputs))) => {
            let registration = registration(&item_fn, &args, &doc, &inputs);
            quote!(#item #registration)
        }
        (args, checked) => {
            let errors = [args.err(), checked.err()]
                .into_iter()
                .flatten()
                .map(|e| e.to_compile_error());
            quote!(#item #(#errors)*)
        }
    }
}

/// The doc comment, the tool's description: required.
fn description(item: &ItemFn) -> syn::Result<String> {
    let lines: Vec<String> = item
        .attrs
        .iter()
        .filter(|a| a.path().is_ident("doc"))
        .filter_map(|a| match &a.meta {
            Meta::NameValue(nv) => match &nv.value {
                Expr::Lit(lit) => match &lit.lit {
                    Lit::Str(s) => Some(s.value().trim().to_owned()),
                    _ => None,
                },
                _ => None,
            },
            _ => None,
        })
        .collect();
    let text = lines.join("\n").trim().to_owned();
    if text.is_empty() {
        return Err(syn::Error::new_spanned(
            &item.sig.ident,
            format!(
                "`#[{NAME}]` tools need a doc comment: the model reads it to know what the tool \
                 does; add `/// ...` above the fn"
            ),
        ));
    }
    Ok(text)
}

/// The arguments, each `name: Type` with an owned type.
fn inputs(item: &ItemFn) -> syn::Result<Vec<(syn::Ident, &Type)>> {
    let mut inputs = Vec::new();
    for arg in &item.sig.inputs {
        let FnArg::Typed(typed) = arg else { continue };
        let Pat::Ident(pat) = &*typed.pat else {
            return Err(syn::Error::new_spanned(
                &typed.pat,
                format!(
                    "`#[{NAME}]` arguments are named, `name: Type`, so the model can fill them in"
                ),
            ));
        };
        if let Type::Reference(reference) = &*typed.ty {
            return Err(syn::Error::new_spanned(
                reference,
                format!(
                    "`#[{NAME}]` arguments are owned values read from JSON: use `String` for `&str`, and no references"
                ),
            ));
        }
        inputs.push((pat.ident.clone(), &*typed.ty));
    }
    Ok(inputs)
}

/// Whether a lone argument of this type is the whole input (a struct) rather than one field.
fn is_input_struct(ty: &Type) -> bool {
    match ty {
        Type::Path(path) => path
            .path
            .segments
            .last()
            .is_some_and(|last| !PLAIN.contains(&last.ident.to_string().as_str())),
        _ => false,
    }
}

fn registration(
    item: &ItemFn,
    args: &Args,
    doc: &str,
    inputs: &[(syn::Ident, &Type)],
) -> TokenStream {
    let root = match &args.krate {
        Some(path) => quote!(#path),
        None => quote!(::xpander_runtime),
    };
    let p = quote!(#root::__private);
    let ident = &item.sig.ident;
    let name = args
        .name
        .as_ref()
        .map_or_else(|| ident.to_string(), |n| n.value());
    let add_to_graph = args.add_to_graph.as_ref().is_some_and(|b| b.value);
    let line = quote_spanned!(ident.span()=> ::core::line!());
    let fn_name = ident.to_string();
    let info = quote! {
        #p::HandlerInfo { module_path: ::core::module_path!(), name: #fn_name, file: ::core::file!(), line: #line }
    };
    let (input_type, input_struct, bind, pass) = match inputs {
        [(arg, ty)] if is_input_struct(ty) => (quote!(#ty), quote!(), quote!(#arg), quote!(#arg)),
        _ => {
            let serde_path = format!("{}::serde", p.to_string().replace(' ', ""));
            let schemars_path = format!("{}::schemars", p.to_string().replace(' ', ""));
            let (names, types): (Vec<_>, Vec<_>) = inputs.iter().cloned().unzip();
            let args_type = format_ident!("__XpanderToolArgs", span = Span::call_site());
            let fields = names
                .iter()
                .zip(&types)
                .map(|(n, t)| quote_spanned!(t.span()=> #n: #t));
            (
                quote!(#args_type),
                quote! {
                    #[derive(#p::serde::Deserialize, #p::schemars::JsonSchema)]
                    #[serde(crate = #serde_path)]
                    #[schemars(crate = #schemars_path)]
                    struct #args_type { #(#fields,)* }
                },
                quote!(#args_type { #(#names),* }),
                quote!(#(#names),*),
            )
        }
    };
    let output = match item.sig.asyncness {
        Some(_) => quote!(#ident(#pass).await),
        None => quote!(#ident(#pass)),
    };
    let unit: Type = syn::parse_quote!(());
    let return_type = match &item.sig.output {
        syn::ReturnType::Default => &unit,
        syn::ReturnType::Type(_, ty) => &**ty,
    };
    let is_result = matches!(return_type, Type::Path(path)
        if path.path.segments.last().is_some_and(|s| s.ident == "Result"));
    let convert = if is_result {
        quote_spanned!(return_type.span()=> <#return_type as #p::ToolOutcome>::into_tool_result)
    } else {
        quote_spanned!(return_type.span()=> <#return_type as #p::ToolOutput>::into_tool_result)
    };
    let body = quote! {
        let #bind = #p::tool_arguments::<#input_type>(arguments)?;
        #convert(#output)
    };
    let call = match item.sig.asyncness {
        Some(_) => {
            let future =
                quote_spanned!(ident.span()=> ::std::boxed::Box::pin(async move { #body }));
            quote! {
                fn __xpander_tool(arguments: #p::Value) -> #p::BoxFuture<'static, #p::ToolResult> {
                    #future
                }
            }
        }
        None => quote! {
            fn __xpander_tool(arguments: #p::Value) -> #p::ToolResult { #body }
        },
    };
    let variant = match item.sig.asyncness {
        Some(_) => quote!(Async),
        None => quote!(Blocking),
    };
    quote! {
        #[doc(hidden)]
        const _: () = {
            #input_struct
            fn __xpander_schema() -> #p::Value {
                #p::tool_schema::<#input_type>()
            }
            #call
            #p::inventory::submit! {
                #p::LocalTool::new(
                    #info,
                    #name,
                    #doc,
                    __xpander_schema,
                    #p::ToolFn::#variant(__xpander_tool),
                    #add_to_graph,
                )
            }
        };
    }
}
