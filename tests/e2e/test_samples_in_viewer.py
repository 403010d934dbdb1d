"""The OMG MIWG reference diagrams, each uploaded into the process owner's modeler in Chromium (one page, one
upload after another): each is drawn (shapes on the canvas) or refused with a clear message, and never raises a
page error or logs a console error. The HTTP side (each deployed or refused with a reason, never a 500) is
tests/test_deploy.py::test_reference_diagrams_never_crash."""

import re
from pathlib import Path

SAMPLES_DIR = Path(__file__).resolve().parent.parent / "data" / "miwg-reference"
DI_ELEMENT = re.compile(r'<(?:\w+:)?BPMNShape\b[^>]*\bbpmnElement="([^"]+)"')

RESET = """() => {
  const container = document.getElementById('modeler');
  delete container.dataset.ready;
  delete container.dataset.error;
  document.getElementById('modeler-error').classList.add('d-none');
}"""
SETTLED = """() => {
  const container = document.getElementById('modeler');
  return container.dataset.ready === 'true' || !!container.dataset.error;
}"""
OUTCOME = """() => {
  const container = document.getElementById('modeler');
  const problem = document.getElementById('modeler-error');
  return {
    ready: container.dataset.ready === 'true',
    error: container.dataset.error || null,
    message: problem.classList.contains('d-none') ? '' : problem.textContent.trim(),
    shapes: Array.from(container.querySelectorAll('.djs-element.djs-shape'))
      .map(function (el) { return el.getAttribute('data-element-id'); }),
  };
}"""


def test_reference_samples_draw_in_modeler_or_say_why(login_as):
    # The set is in the repository (tests/data, with its licence); a missing folder fails, never tests nothing.
    assert SAMPLES_DIR.is_dir(), f"{SAMPLES_DIR} is missing"
    samples = sorted(SAMPLES_DIR.glob("*.bpmn"))
    assert samples, f"no .bpmn files in {SAMPLES_DIR}"

    page = login_as("owner")
    page_errors, console_errors = [], []
    page.on("pageerror", lambda error: page_errors.append(str(error)))
    page.on("console", lambda message: message.type == "error" and console_errors.append(message.text))
    page.goto("/workspace/provider_selection")
    page.wait_for_selector('#modeler[data-ready="true"]', state="attached")
    upload = page.locator("#upload-input")

    problems, refused = [], []
    for sample in samples:
        before = (len(page_errors), len(console_errors))
        page.evaluate(RESET)
        upload.set_input_files(str(sample))
        page.wait_for_function(SETTLED)
        outcome = page.evaluate(OUTCOME)
        new_page_errors = page_errors[before[0]:]
        new_console_errors = console_errors[before[1]:]
        if new_page_errors or new_console_errors:
            problems.append(f"{sample.name}: page errors {new_page_errors}, console errors {new_console_errors}")
        if outcome["ready"]:
            drawn_ids = set(DI_ELEMENT.findall(sample.read_text(encoding="utf-8")))
            if not outcome["shapes"]:
                problems.append(f"{sample.name}: imported but no shape on the canvas")
            elif drawn_ids and not drawn_ids & set(outcome["shapes"]):
                problems.append(f"{sample.name}: the canvas still shows another diagram")
        elif not outcome["message"]:
            problems.append(f"{sample.name}: import failed ({outcome['error']}) without a visible message")
        else:
            refused.append(f"{sample.name}: {outcome['message']}")

    assert not problems, "\n".join(problems)
    print(f"\n{len(samples) - len(refused)}/{len(samples)} drawn; refused with a message: {refused or 'none'}")
