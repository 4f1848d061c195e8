async fn after(call: &ToolCallInfo, result: &Value) {}
#[doc(hidden)]
const _: () = {
    fn __xpander_call<'a>(
        call: &'a ::xpander_runtime::__private::ToolCallInfo,
        result: &'a ::xpander_runtime::__private::Value,
    ) -> ::xpander_runtime::__private::BoxFuture<'a, ::xpander_runtime::__private::HookResult> {
        ::std::boxed::Box::pin(async move {
            < () as :: xpander_runtime :: __private :: IntoHookResult > :: into_hook_result (after (< & ToolCallInfo as :: xpander_runtime :: __private :: ToolCallArgument < '_ >> :: from_call (call) , < & Value as :: xpander_runtime :: __private :: ToolResultArgument < '_ >> :: from_result (result)) . await)
        })
    }
    ::xpander_runtime::__private::inventory::submit! { :: xpander_runtime :: __private :: AfterToolHook :: new (:: xpander_runtime :: __private :: HandlerInfo { module_path : :: core :: module_path ! () , name : "after" , file : :: core :: file ! () , line : :: core :: line ! () , } , __xpander_call) }
};
