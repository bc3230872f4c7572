"""Each model family gets its own turn format, chosen from the GGUF's metadata; base models get a completion."""

import pytest

from minutebook.answer.chat import CHATML, COMPLETION, GEMMA, LLAMA3, MISTRAL, PHI3, choose_format

# Shortened from the chat templates these families ship in their GGUF files.
TEMPLATES = {
    GEMMA: "{{ bos_token }}{% for message in messages %}{{ '<start_of_turn>' + role + '\\n' }}{% endfor %}",
    CHATML: "{% for message in messages %}{{'<|im_start|>' + message['role'] + '\\n'}}{% endfor %}",
    LLAMA3: "{% set content = '<|start_header_id|>' + message['role'] + '<|end_header_id|>\\n\\n' %}",
    PHI3: "{% for message in messages %}{{'<|user|>' + '\\n' + message['content'] + '<|end|>'}}"
          "{% endfor %}{{ '<|assistant|>\\n' }}",
    MISTRAL: "{{ bos_token }}{% for message in messages %}{{ '[INST] ' + message['content'] + ' [/INST]' }}",
}


@pytest.mark.parametrize("fmt", list(TEMPLATES), ids=lambda f: f.name)
def test_the_stored_template_names_the_family(fmt) -> None:
    assert choose_format({"general.architecture": "whatever", "tokenizer.chat_template": TEMPLATES[fmt]}) is fmt


def test_a_model_without_a_chat_template_is_a_base_model_prompted_as_a_completion() -> None:
    assert choose_format({"general.architecture": "gemma3", "general.name": "Gemma 3 270m"}) is COMPLETION
    assert not COMPLETION.instruct and all(f.instruct for f in TEMPLATES)


def test_the_template_is_read_never_run() -> None:
    # Jinja that would fail (or worse) if executed: only its control tokens are looked at.
    hostile = "{{ cycler.__init__.__globals__.os.system('touch /tmp/pwned') }}<|im_start|>"
    assert choose_format({"tokenizer.chat_template": hostile}) is CHATML


@pytest.mark.parametrize("fmt", [GEMMA, CHATML, LLAMA3, PHI3, MISTRAL], ids=lambda f: f.name)
def test_each_format_writes_the_instructions_the_request_and_opens_the_models_turn(fmt) -> None:
    prompt = fmt.render("INSTRUCTIONS", "REQUEST")
    assert prompt.index("INSTRUCTIONS") < prompt.index("REQUEST")
    assert not prompt.endswith("REQUEST")  # the model's turn is open
    assert any(stop in prompt for stop in fmt.stop)  # the end-of-turn token it will write is the one we stop on
    expected_ends = {"gemma": "<start_of_turn>model\n", "chatml": "<|im_start|>assistant\n",
                     "llama3": "<|start_header_id|>assistant<|end_header_id|>\n\n", "phi3": "<|assistant|>\n",
                     "mistral": " [/INST]"}
    assert prompt.endswith(expected_ends[fmt.name])
