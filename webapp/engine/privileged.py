"""Which processes may call the services that change the public record (privileged_services.yaml)."""

from functools import lru_cache
from pathlib import Path

from ..security import yaml_guard

FILE = Path(__file__).with_name("privileged_services.yaml")


@lru_cache(maxsize=1)
def allowed():
    table = yaml_guard.safe_load(FILE.read_text(encoding="utf-8")) or {}
    return {name: frozenset(keys) for name, keys in table.items()}


def refusal(service, process_key):
    """The message when `process_key` may not call `service`, else None."""
    keys = allowed().get(service)
    if keys is None or process_key in keys:
        return None
    return (f"服务 {service} 只能由流程 {'、'.join(sorted(keys))} 调用（变更公共记录的服务须经发布审定），"
            f"不能由 {process_key} 调用")
