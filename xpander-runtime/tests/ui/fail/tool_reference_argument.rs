// Rule: a tool's arguments are owned values (they are read from JSON).


/// Looks up the weather of a city.
#[xpander_runtime::register_tool]
async fn weather(city: &str) -> String {
    city.to_owned()
}

fn main() {}
