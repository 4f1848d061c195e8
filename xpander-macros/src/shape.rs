//! Checking the function's shape: what a macro can see without knowing types.

use quote::ToTokens;
use syn::{FnArg, ItemFn, ReturnType, Type};

/// The parts of a checked function the emitter needs.
pub struct Shape<'a> {
    pub is_async: bool,
    pub arg_types: Vec<&'a Type>,
    pub return_type: Option<&'a Type>,
}

/// How many arguments a kind of handler takes, and how to say so.
pub struct Arity {
    /// The valid counts, smallest first; empty for any count.
    pub counts: &'static [usize],
    /// The rule in words, e.g. "exactly one argument".
    pub wanted: &'static str,
}

/// Checks that `item` is a free, non-generic fn with an argument count `arity` allows.
/// `forms` lists the valid forms for the messages. Every problem found is reported.
pub fn check<'a>(
    item: &'a ItemFn,
    macro_name: &str,
    arity: &Arity,
    forms: &str,
) -> syn::Result<Shape<'a>> {
    let sig = &item.sig;
    let mut errors: Vec<syn::Error> = Vec::new();
    let mut fail = |tokens: &dyn ToTokens, rule: &str| {
        let message = format!("`#[{macro_name}]` {rule}; valid forms: {forms}");
        errors.push(syn::Error::new_spanned(tokens, message));
    };
    if let Some(receiver) = sig.receiver() {
        fail(
            receiver,
            "handlers are free functions, not methods: remove the `self` argument",
        );
    }
    if !sig.generics.params.is_empty() || sig.generics.where_clause.is_some() {
        fail(
            &sig.generics,
            "handlers cannot be generic: remove the generic parameters",
        );
    }
    if let Some(constness) = &sig.constness {
        fail(constness, "handlers cannot be `const fn`");
    }
    if let Some(abi) = &sig.abi {
        fail(abi, "handlers cannot have an `extern` ABI");
    }
    if let Some(variadic) = &sig.variadic {
        fail(variadic, "handlers cannot be variadic");
    }
    let typed: Vec<&Type> = sig
        .inputs
        .iter()
        .filter_map(|arg| match arg {
            FnArg::Typed(typed) => Some(&*typed.ty),
            FnArg::Receiver(_) => None,
        })
        .collect();
    // No counts: any number of arguments.
    let counted = arity.counts.is_empty() || arity.counts.contains(&typed.len());
    if sig.receiver().is_none() && !counted {
        let rule = format!(
            "handlers take {}, this one takes {}",
            arity.wanted,
            typed.len()
        );
        // Point at the first extra argument, or at all of them when some are missing.
        let most = arity.counts.last().copied().unwrap_or(0);
        let extra: Vec<&FnArg> = sig.inputs.iter().skip(most).collect();
        match (extra.first(), sig.inputs.is_empty()) {
            (Some(first), _) => fail(first, &rule),
            (None, true) => fail(&sig.ident, &rule),
            (None, false) => fail(&sig.inputs, &rule),
        }
    }
    let mut errors = errors.into_iter();
    if let Some(mut first) = errors.next() {
        first.extend(errors);
        return Err(first);
    }
    Ok(Shape {
        is_async: sig.asyncness.is_some(),
        arg_types: typed,
        return_type: match &sig.output {
            ReturnType::Default => None,
            ReturnType::Type(_, ty) => Some(ty),
        },
    })
}
