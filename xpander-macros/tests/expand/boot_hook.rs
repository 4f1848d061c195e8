fn boot() -> Result<(), String> {
    Ok(())
}
#[doc(hidden)]
const _: () = {
    fn __xpander_call() -> ::xpander_runtime::__private::HookResult {
        <Result<(), String> as ::xpander_runtime::__private::IntoHookResult>::into_hook_result(
            boot(),
        )
    }
    ::xpander_runtime::__private::inventory::submit! { :: xpander_runtime :: __private :: BootHook :: new (:: xpander_runtime :: __private :: HandlerInfo { module_path : :: core :: module_path ! () , name : "boot" , file : :: core :: file ! () , line : :: core :: line ! () , } , :: xpander_runtime :: __private :: HookFn :: Blocking (__xpander_call)) }
};
