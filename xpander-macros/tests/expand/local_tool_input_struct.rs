#[doc = " Books seats."]
fn book_seats(request: Booking) -> Booking {
    request
}
#[doc(hidden)]
const _: () = {
    fn __xpander_schema() -> ::xpander_runtime::__private::Value {
        ::xpander_runtime::__private::tool_schema::<Booking>()
    }
    fn __xpander_tool(
        arguments: ::xpander_runtime::__private::Value,
    ) -> ::xpander_runtime::__private::ToolResult {
        let request = ::xpander_runtime::__private::tool_arguments::<Booking>(arguments)?;
        <Booking as ::xpander_runtime::__private::ToolOutput>::into_tool_result(book_seats(request))
    }
    ::xpander_runtime::__private::inventory::submit! { :: xpander_runtime :: __private :: LocalTool :: new (:: xpander_runtime :: __private :: HandlerInfo { module_path : :: core :: module_path ! () , name : "book_seats" , file : :: core :: file ! () , line : :: core :: line ! () } , "book" , "Books seats." , __xpander_schema , :: xpander_runtime :: __private :: ToolFn :: Blocking (__xpander_tool) , false ,) }
};
