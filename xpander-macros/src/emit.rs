//! Emitting the user's function unchanged, plus its registration.

use proc_macro2::TokenStream;
use quote::{quote, quote_spanned};
use syn::spanned::Spanned;
use syn::{ItemFn, Type};

use crate::args::Args;
use crate::shape::{self, Arity, Shape};

/// Which attribute is being expanded.
#[derive(Clone, Copy)]
pub enum Kind {
    Task,
    AuthEvent,
    Boot,
    Shutdown,
    ToolBefore,
    ToolAfter,
    ToolError,
}

impl Kind {
    fn name(self) -> &'static str {
        match self {
            Kind::Task => "on_task",
            Kind::AuthEvent => "on_auth_event",
            Kind::Boot => "on_boot",
            Kind::Shutdown => "on_shutdown",
            Kind::ToolBefore => "on_tool_before",
            Kind::ToolAfter => "on_tool_after",
            Kind::ToolError => "on_tool_error",
        }
    }

    fn keys(self) -> &'static [&'static str] {
        match self {
            Kind::Task => &["test_task", "configuration", "agent_id", "crate"],
            _ => &["crate"],
        }
    }

    fn arity(self) -> Arity {
        let (counts, wanted): (&'static [usize], _) = match self {
            Kind::Task => (
                &[1, 2],
                "one argument (`Task`), or two (`Task, TaskStream`) to stream",
            ),
            Kind::AuthEvent => (&[3], "exactly 3 arguments"),
            Kind::Boot | Kind::Shutdown => (&[0], "no arguments"),
            Kind::ToolBefore => (&[1], "exactly one argument (`&ToolCallInfo`)"),
            Kind::ToolAfter => (&[2], "exactly 2 arguments (`&ToolCallInfo, &Value`)"),
            Kind::ToolError => (&[2], "exactly 2 arguments (`&ToolCallInfo, &str`)"),
        };
        Arity { counts, wanted }
    }

    fn forms(self) -> &'static str {
        match self {
            Kind::Task => {
                "`async fn(Task) -> Task`, `async fn(Task) -> Result<Task, E>`, the same as a plain `fn`, or streaming: `async fn(Task, TaskStream)` returning either"
            }
            Kind::AuthEvent => {
                "`async fn(&Agent, &Task, &TaskUpdateEvent)` returning `()` or `Result<(), E>`, or the same as a plain `fn`"
            }
            Kind::Boot | Kind::Shutdown => {
                "`async fn()` or `fn()`, returning `()` or `Result<(), E>`"
            }
            Kind::ToolBefore => {
                "`async fn(&ToolCallInfo)` returning `()` or `Result<(), E>`, or the same as a plain `fn`"
            }
            Kind::ToolAfter => {
                "`async fn(&ToolCallInfo, &Value)` (the result) returning `()` or `Result<(), E>`, or the same as a plain `fn`"
            }
            Kind::ToolError => {
                "`async fn(&ToolCallInfo, &str)` (the error) returning `()` or `Result<(), E>`, or the same as a plain `fn`"
            }
        }
    }
}

/// Expands one attribute. On errors the item is still emitted, with a `compile_error!` per
/// problem, so the function stays usable and no follow-on errors appear.
pub fn expand(kind: Kind, attr: TokenStream, item: TokenStream) -> TokenStream {
    let item_fn: ItemFn = match syn::parse2(item.clone()) {
        Ok(item_fn) => item_fn,
        Err(_) => {
            let message = format!(
                "`#[{}]` applies to a function; valid forms: {}",
                kind.name(),
                kind.forms()
            );
            let error = syn::Error::new_spanned(&item, message).to_compile_error();
            return quote!(#item #error);
        }
    };
    let args = Args::parse(kind.name(), kind.keys(), attr);
    let shape = shape::check(&item_fn, kind.name(), &kind.arity(), kind.forms())
        .and_then(|shape| require_return_type(kind, &item_fn, shape))
        .and_then(|shape| require_async_stream(kind, &item_fn, shape));
    match (args, shape) {
        (Ok(args), Ok(shape)) => {
            let registration = registration(kind, &item_fn, &args, &shape);
            quote!(#item #registration)
        }
        (args, shape) => {
            let errors = [args.err(), shape.err()]
                .into_iter()
                .flatten()
                .map(|e| e.to_compile_error());
            quote!(#item #(#errors)*)
        }
    }
}

/// A task handler returns the task; saying so here beats a type error on `()`.
fn require_return_type<'a>(kind: Kind, item: &ItemFn, shape: Shape<'a>) -> syn::Result<Shape<'a>> {
    if matches!(kind, Kind::Task) && shape.return_type.is_none() {
        let span = item.sig.paren_token.span.close();
        return Err(syn::Error::new(
            span,
            format!(
                "`#[on_task]` handlers return the task: add `-> Task` (or `-> Result<Task, E>`); valid forms: {}",
                kind.forms()
            ),
        ));
    }
    Ok(shape)
}

/// A streaming handler's events are sent with `.await`; a plain `fn` could not send them.
fn require_async_stream<'a>(kind: Kind, item: &ItemFn, shape: Shape<'a>) -> syn::Result<Shape<'a>> {
    if matches!(kind, Kind::Task) && shape.arg_types.len() == 2 && !shape.is_async {
        return Err(syn::Error::new_spanned(
            item.sig.fn_token,
            format!(
                "`#[on_task]` streaming handlers (taking a `TaskStream`) are `async fn`: add `async`; valid forms: {}",
                kind.forms()
            ),
        ));
    }
    Ok(shape)
}

fn registration(kind: Kind, item: &ItemFn, args: &Args, shape: &Shape) -> TokenStream {
    let root = match &args.krate {
        Some(path) => quote!(#path),
        None => quote!(::xpander_runtime),
    };
    let p = quote!(#root::__private);
    let ident = &item.sig.ident;
    let name = ident.to_string();
    let line = quote_spanned!(ident.span()=> ::core::line!());
    let info = quote! {
        #p::HandlerInfo {
            module_path: ::core::module_path!(),
            name: #name,
            file: ::core::file!(),
            line: #line,
        }
    };
    let unit: Type = syn::parse_quote!(());
    let return_type = shape.return_type.unwrap_or(&unit);
    let body = match kind {
        Kind::Task => task_handler(&p, item, args, shape, return_type, &info),
        Kind::AuthEvent => ref_hook(
            &p,
            item,
            shape,
            return_type,
            &info,
            &auth_params(&p),
            quote!(AuthHook),
        ),
        Kind::ToolBefore | Kind::ToolAfter | Kind::ToolError => {
            let (params, registration) = tool_hook(kind, &p);
            ref_hook(&p, item, shape, return_type, &info, &params, registration)
        }
        Kind::Boot => lifecycle_hook(&p, item, shape, return_type, &info, quote!(BootHook)),
        Kind::Shutdown => lifecycle_hook(&p, item, shape, return_type, &info, quote!(ShutdownHook)),
    };
    quote! {
        #[doc(hidden)]
        const _: () = { #body };
    }
}

/// `call(...)` or `call(...).await`, as the user's fn is async or not.
fn call_user(item: &ItemFn, args: TokenStream) -> TokenStream {
    let ident = &item.sig.ident;
    match item.sig.asyncness {
        Some(_) => quote!(#ident(#args).await),
        None => quote!(#ident(#args)),
    }
}

/// Boxes `body` as a `Send` future; spanned on the user's fn so a non-`Send` future is
/// reported there.
fn boxed(item: &ItemFn, body: TokenStream) -> TokenStream {
    quote_spanned!(item.sig.ident.span()=> ::std::boxed::Box::pin(async move { #body }))
}

fn task_handler(
    p: &TokenStream,
    item: &ItemFn,
    args: &Args,
    shape: &Shape,
    return_type: &Type,
    info: &TokenStream,
) -> TokenStream {
    let arg_type = shape.arg_types[0];
    let mut inputs =
        quote_spanned!(arg_type.span()=> <#arg_type as #p::TaskArgument>::from_task(task));
    let stream_type = shape.arg_types.get(1);
    if let Some(ty) = stream_type {
        let stream =
            quote_spanned!(ty.span()=> <#ty as #p::TaskStreamArgument>::from_stream(stream));
        inputs = quote!(#inputs, #stream);
    }
    let into =
        quote_spanned!(return_type.span()=> <#return_type as #p::IntoTaskResult>::into_task_result);
    let output = call_user(item, inputs);
    let call = if stream_type.is_some() {
        let future = boxed(item, quote!(#into(#output)));
        quote! {
            fn __xpander_call(
                task: #p::Task,
                stream: #p::TaskStream,
            ) -> #p::BoxFuture<'static, #p::HandlerResult> {
                #future
            }
        }
    } else if shape.is_async {
        let future = boxed(item, quote!(#into(#output)));
        quote! {
            fn __xpander_call(task: #p::Task) -> #p::BoxFuture<'static, #p::HandlerResult> {
                #future
            }
        }
    } else {
        quote! {
            fn __xpander_call(task: #p::Task) -> #p::HandlerResult {
                #into(#output)
            }
        }
    };
    let variant = match (stream_type, shape.is_async) {
        (Some(_), _) => quote!(Streaming),
        (None, true) => quote!(Async),
        (None, false) => quote!(Blocking),
    };
    let agent_id = match &args.agent_id {
        Some(id) => quote!(::core::option::Option::Some(#id)),
        None => quote!(::core::option::Option::None),
    };
    let (test_fn, test_task) = match &args.test_task {
        Some(expr) => {
            let convert = quote_spanned!(expr.span()=> #p::IntoTestTask::into_test_task(#expr));
            (
                quote!(fn __xpander_test_task() -> #p::LocalTaskTest { #convert }),
                quote!(::core::option::Option::Some(__xpander_test_task as fn() -> #p::LocalTaskTest)),
            )
        }
        None => (quote!(), quote!(::core::option::Option::None)),
    };
    let (config_fn, configuration) = match &args.configuration {
        Some(expr) => {
            let convert =
                quote_spanned!(expr.span()=> #p::IntoConfiguration::into_configuration(#expr));
            (
                quote! {
                    fn __xpander_configuration()
                        -> ::core::result::Result<#p::Configuration, #p::Error> { #convert }
                },
                quote! {
                    ::core::option::Option::Some(
                        __xpander_configuration
                            as fn() -> ::core::result::Result<#p::Configuration, #p::Error>
                    )
                },
            )
        }
        None => (quote!(), quote!(::core::option::Option::None)),
    };
    quote! {
        #call
        #test_fn
        #config_fn
        #p::inventory::submit! {
            #p::TaskHandler::new(
                #info,
                #p::TaskFn::#variant(__xpander_call),
                #agent_id,
                #test_task,
                #configuration,
            )
        }
    }
}

/// One argument of a hook taking references: its name, its type (with lifetime `'a`), the
/// trait that checks the user's type, and that trait's method.
type RefParam = (TokenStream, TokenStream, TokenStream, TokenStream);

fn auth_params(p: &TokenStream) -> Vec<RefParam> {
    vec![
        (
            quote!(agent),
            quote!(&'a #p::Agent),
            quote!(AuthAgentArgument),
            quote!(from_agent),
        ),
        (
            quote!(task),
            quote!(&'a #p::Task),
            quote!(AuthTaskArgument),
            quote!(from_task),
        ),
        (
            quote!(event),
            quote!(&'a #p::TaskUpdateEvent),
            quote!(AuthEventArgument),
            quote!(from_event),
        ),
    ]
}

/// A tool hook's arguments (the call, then the result or the error) and its registration.
fn tool_hook(kind: Kind, p: &TokenStream) -> (Vec<RefParam>, TokenStream) {
    let call = (
        quote!(call),
        quote!(&'a #p::ToolCallInfo),
        quote!(ToolCallArgument),
        quote!(from_call),
    );
    let (second, registration) = match kind {
        Kind::ToolAfter => (
            Some((
                quote!(result),
                quote!(&'a #p::Value),
                quote!(ToolResultArgument),
                quote!(from_result),
            )),
            quote!(AfterToolHook),
        ),
        Kind::ToolError => (
            Some((
                quote!(error),
                quote!(&'a str),
                quote!(ToolErrorArgument),
                quote!(from_error),
            )),
            quote!(ToolErrorHook),
        ),
        _ => (None, quote!(BeforeToolHook)),
    };
    (std::iter::once(call).chain(second).collect(), registration)
}
/// A hook called with references (`#[on_auth_event]`, the tool hooks): each argument passed
/// through its checking trait, the user's fn awaited (or called) inside a boxed future.
fn ref_hook(
    p: &TokenStream,
    item: &ItemFn,
    shape: &Shape,
    return_type: &Type,
    info: &TokenStream,
    params: &[RefParam],
    registration: TokenStream,
) -> TokenStream {
    let passed = params.iter().zip(&shape.arg_types).map(|((name, _, check, method), ty)| {
        quote_spanned!(ty.span()=> <#ty as #p::#check<'_>>::#method(#name))
    });
    let into =
        quote_spanned!(return_type.span()=> <#return_type as #p::IntoHookResult>::into_hook_result);
    let output = call_user(item, quote!(#(#passed),*));
    let future = boxed(item, quote!(#into(#output)));
    let declared = params.iter().map(|(name, ty, _, _)| quote!(#name: #ty));
    quote! {
        fn __xpander_call<'a>(#(#declared),*) -> #p::BoxFuture<'a, #p::HookResult> {
            #future
        }
        #p::inventory::submit! {
            #p::#registration::new(#info, __xpander_call)
        }
    }
}

fn lifecycle_hook(
    p: &TokenStream,
    item: &ItemFn,
    shape: &Shape,
    return_type: &Type,
    info: &TokenStream,
    registration: TokenStream,
) -> TokenStream {
    let into =
        quote_spanned!(return_type.span()=> <#return_type as #p::IntoHookResult>::into_hook_result);
    let output = call_user(item, quote!());
    let call = if shape.is_async {
        let future = boxed(item, quote!(#into(#output)));
        quote! {
            fn __xpander_call() -> #p::BoxFuture<'static, #p::HookResult> { #future }
        }
    } else {
        quote! {
            fn __xpander_call() -> #p::HookResult { #into(#output) }
        }
    };
    let variant = if shape.is_async {
        quote!(Async)
    } else {
        quote!(Blocking)
    };
    quote! {
        #call
        #p::inventory::submit! {
            #p::#registration::new(#info, #p::HookFn::#variant(__xpander_call))
        }
    }
}
