async fn bye() {}
#[doc(hidden)]
const _: () = {
    fn __xpander_call()
    -> ::xpander_runtime::__private::BoxFuture<'static, ::xpander_runtime::__private::HookResult>
    {
        ::std::boxed::Box::pin(async move {
            <() as ::xpander_runtime::__private::IntoHookResult>::into_hook_result(bye().await)
        })
    }
    ::xpander_runtime::__private::inventory::submit! { :: xpander_runtime :: __private :: ShutdownHook :: new (:: xpander_runtime :: __private :: HandlerInfo { module_path : :: core :: module_path ! () , name : "bye" , file : :: core :: file ! () , line : :: core :: line ! () , } , :: xpander_runtime :: __private :: HookFn :: Async (__xpander_call)) }
};
