// Rule: a tool name is what model APIs accept: 1 to 64 letters, digits, `_` or `-`.


/// Looks up the weather of a city.
#[xpander_runtime::register_tool(name = "weather lookup!")]
async fn weather(city: String) -> String {
    city
}

fn main() {}
