"""A model's own prompt format, from fixed templates written here.

Instruct models answer far better in the turn format they were trained on. A GGUF file carries
its chat template as Jinja code (``tokenizer.chat_template``); minutebook never runs it: the
template is only *read* for the tell-tale control tokens of a family, and the prompt is then
written by one of the fixed templates below, which are short enough to audit. A file with no
chat template is a base (pretrained) model and gets a plain completion prompt.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class ChatFormat:
    """How to write a two-turn prompt (instructions, then the request) for one model family.

    ``prefix`` and ``suffix`` wrap the instructions and the request; the model writes after
    ``suffix``. ``stop`` holds the strings that end the model's turn. The beginning-of-text
    token is added by the tokenizer, never written here.
    """

    name: str
    system_open: str
    system_close: str
    user_open: str
    user_close: str
    stop: tuple[str, ...]
    instruct: bool = True

    def render(self, instructions: str, request: str) -> str:
        """The whole prompt: the instructions, the request, then the opening of the model's turn."""
        return f"{self.system_open}{instructions}{self.system_close}{self.user_open}{request}{self.user_close}"


# Gemma has no system turn: the instructions open the user's turn.
GEMMA = ChatFormat("gemma", "<start_of_turn>user\n", "\n\n", "",
                   "<end_of_turn>\n<start_of_turn>model\n", ("<end_of_turn>", "<start_of_turn>"))
CHATML = ChatFormat("chatml", "<|im_start|>system\n", "<|im_end|>\n", "<|im_start|>user\n",
                    "<|im_end|>\n<|im_start|>assistant\n", ("<|im_end|>", "<|im_start|>", "<|endoftext|>"))
LLAMA3 = ChatFormat("llama3", "<|start_header_id|>system<|end_header_id|>\n\n", "<|eot_id|>",
                    "<|start_header_id|>user<|end_header_id|>\n\n",
                    "<|eot_id|><|start_header_id|>assistant<|end_header_id|>\n\n",
                    ("<|eot_id|>", "<|start_header_id|>", "<|end_of_text|>"))
PHI3 = ChatFormat("phi3", "<|system|>\n", "<|end|>\n", "<|user|>\n", "<|end|>\n<|assistant|>\n",
                  ("<|end|>", "<|user|>", "<|endoftext|>"))
# Mistral's instruct format has no system turn either: the instructions lead the [INST] block.
MISTRAL = ChatFormat("mistral", "[INST] ", "\n\n", "", " [/INST]", ("</s>", "[INST]"))
# A base model continues text: plain paragraphs, and the answer follows the request's last line.
COMPLETION = ChatFormat("completion", "", "\n\n", "", "\n", ("\n\n", "\nQuestion:"), instruct=False)

FORMATS = {f.name: f for f in (GEMMA, CHATML, LLAMA3, PHI3, MISTRAL, COMPLETION)}

# Control tokens that identify a family inside a stored Jinja template (read, never run).
_TEMPLATE_HINTS = (
    ("<start_of_turn>", GEMMA),
    ("<|im_start|>", CHATML),
    ("<|start_header_id|>", LLAMA3),
    ("<|assistant|>", PHI3),
    ("[INST]", MISTRAL),
)


def choose_format(metadata: Mapping[str, str]) -> ChatFormat:
    """The format for a model, from its GGUF metadata (``general.*``, ``tokenizer.chat_template``).

    The stored chat template names the family by the control tokens it writes; a model without
    one is a base model and gets ``COMPLETION``, whatever its architecture.
    """
    template = metadata.get("tokenizer.chat_template") or ""
    for hint, fmt in _TEMPLATE_HINTS:
        if hint in template:
            return fmt
    return COMPLETION
