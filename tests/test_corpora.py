"""Every BPMN file of the public corpora (tests/data: the MIWG reference set, SpiffWorkflow's test
diagrams) deployed and started through the API (tests/corpora.py): none answers 5xx or hangs, and each
refusal names its element or line. The figures only move one way: more started, fewer refused."""

import corpora


def test_every_corpus_file_runs_or_is_refused_clearly(as_user):
    owner, city = as_user("owner"), as_user("city")
    counts = {}
    for corpus in corpora.CORPORA:
        counts[corpus], rows = corpora.run(owner, city, corpus)
        bad = [row for row in rows if row[1] in ("5xx", "hang", "refused, not located")]
        assert bad == [], bad
    print(corpora.table(counts))
    assert sum(counts["miwg"].values()) == 21 and sum(counts["spiffworkflow"].values()) == 116
    # measured when written: MIWG (descriptive diagrams, isExecutable="false") all refused; SpiffWorkflow 25 started,
    # 17 deployed but failing at start (scripts reading data their own tests pass in)
    assert counts["spiffworkflow"]["started"] >= 25
    assert counts["spiffworkflow"]["deployed, start refused"] <= 17
