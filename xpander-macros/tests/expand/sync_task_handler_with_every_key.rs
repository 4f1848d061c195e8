fn handle(mut task: Task) -> Result<Task, String> {
    Ok(task)
}
#[doc(hidden)]
const _: () = {
    fn __xpander_call(
        task: ::xpander_runtime::__private::Task,
    ) -> ::xpander_runtime::__private::HandlerResult {
        <Result<Task, String> as ::xpander_runtime::__private::IntoTaskResult>::into_task_result(
            handle(<Task as ::xpander_runtime::__private::TaskArgument>::from_task(task)),
        )
    }
    fn __xpander_test_task() -> ::xpander_runtime::__private::LocalTaskTest {
        ::xpander_runtime::__private::IntoTestTask::into_test_task("hi")
    }
    fn __xpander_configuration() -> ::core::result::Result<
        ::xpander_runtime::__private::Configuration,
        ::xpander_runtime::__private::Error,
    > {
        ::xpander_runtime::__private::IntoConfiguration::into_configuration(my_config())
    }
    ::xpander_runtime::__private::inventory::submit! { :: xpander_runtime :: __private :: TaskHandler :: new (:: xpander_runtime :: __private :: HandlerInfo { module_path : :: core :: module_path ! () , name : "handle" , file : :: core :: file ! () , line : :: core :: line ! () , } , :: xpander_runtime :: __private :: TaskFn :: Blocking (__xpander_call) , :: core :: option :: Option :: Some ("agent-1") , :: core :: option :: Option :: Some (__xpander_test_task as fn () -> :: xpander_runtime :: __private :: LocalTaskTest) , :: core :: option :: Option :: Some (__xpander_configuration as fn () -> :: core :: result :: Result < :: xpander_runtime :: __private :: Configuration , :: xpander_runtime :: __private :: Error >) ,) }
};
