#[doc = " Looks up the weather."]
async fn weather(city: String, days: Option<u32>) -> Result<Forecast, String> {
    todo!()
}
#[doc(hidden)]
const _: () = {
    #[derive(
        :: xpander_runtime :: __private :: serde :: Deserialize,
        :: xpander_runtime :: __private :: schemars :: JsonSchema,
    )]
    #[serde(crate = "::xpander_runtime::__private::serde")]
    #[schemars(crate = "::xpander_runtime::__private::schemars")]
    struct __XpanderToolArgs {
        city: String,
        days: Option<u32>,
    }
    fn __xpander_schema() -> ::xpander_runtime::__private::Value {
        ::xpander_runtime::__private::tool_schema::<__XpanderToolArgs>()
    }
    fn __xpander_tool(
        arguments: ::xpander_runtime::__private::Value,
    ) -> ::xpander_runtime::__private::BoxFuture<'static, ::xpander_runtime::__private::ToolResult>
    {
        ::std::boxed::Box::pin(async move {
            let __XpanderToolArgs { city, days } =
                ::xpander_runtime::__private::tool_arguments::<__XpanderToolArgs>(arguments)?;
            < Result < Forecast , String > as :: xpander_runtime :: __private :: ToolOutcome > :: into_tool_result (weather (city , days) . await)
        })
    }
    ::xpander_runtime::__private::inventory::submit! { :: xpander_runtime :: __private :: LocalTool :: new (:: xpander_runtime :: __private :: HandlerInfo { module_path : :: core :: module_path ! () , name : "weather" , file : :: core :: file ! () , line : :: core :: line ! () } , "weather" , "Looks up the weather." , __xpander_schema , :: xpander_runtime :: __private :: ToolFn :: Async (__xpander_tool) , true ,) }
};
