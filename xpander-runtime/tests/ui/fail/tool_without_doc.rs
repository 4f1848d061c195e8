// Rule: a tool has a doc comment (the model reads it).


#[xpander_runtime::register_tool]
async fn weather(city: String) -> String {
    city
}

fn main() {}
