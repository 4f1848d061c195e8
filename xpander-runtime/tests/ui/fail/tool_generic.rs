// Rule: a tool is not generic (its schema is fixed at compile time).


/// Echoes its input.
#[xpander_runtime::register_tool]
async fn echo<T: serde::Serialize>(value: T) -> T {
    value
}

fn main() {}
