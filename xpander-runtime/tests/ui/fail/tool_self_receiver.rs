// Rule: a tool is a free function, not a method.


struct Weather;

impl Weather {
    /// Looks up the weather.
    #[xpander_runtime::register_tool]
    async fn lookup(&self, city: String) -> String {
        city
    }
}

fn main() {}
