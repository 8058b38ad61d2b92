"""Stand-in for airflow.utils.trigger_rule."""


class TriggerRule:
    ALL_SUCCESS = "all_success"
    ONE_FAILED = "one_failed"
    ALL_DONE = "all_done"
