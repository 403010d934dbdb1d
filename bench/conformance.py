"""Print how the product copes with files from other tools: the DMN TCK level-2 decision tables and the
BPMN corpora in tests/data, each through the API on a throw-away SQLite database.

    .venv/bin/python bench/conformance.py
"""

import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT), str(ROOT / "tests")]

import corpora  # noqa: E402
import dmn_tck  # noqa: E402
from conftest import Api, make_app  # noqa: E402


def main():
    with tempfile.TemporaryDirectory() as folder:
        app = make_app(f"sqlite:///{folder}/conformance.db")
        with app.app_context():
            client = app.test_client()
            owner, city = Api(client, "owner"), Api(client, "city")
            results = dmn_tck.run(owner, city)
            passed = sum(1 for _, ok, _ in results if ok)
            print(f"DMN TCK level 2 (decision tables): {passed}/{len(results)} test cases pass")
            for name, ok, reason in results:
                if not ok:
                    print(f"  {name}: {reason}")
            counts = {corpus: corpora.run(owner, city, corpus)[0] for corpus in corpora.CORPORA}
            print(corpora.table(counts))


if __name__ == "__main__":
    main()
