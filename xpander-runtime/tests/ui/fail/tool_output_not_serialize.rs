// Rule: a tool's output is `Serialize` (it goes back to the model as JSON).


struct Opaque;

/// Returns something the model cannot read.
#[xpander_runtime::register_tool]
async fn opaque() -> Opaque {
    Opaque
}

fn main() {}
