"""Tiny randomly initialised T5 and Llama checkpoints built offline for the ``hf`` adapter tests.

A byte-level BPE tokenizer is trained on a few sentences, so any text encodes without unknown
tokens; the models are a few thousand parameters and generate gibberish in milliseconds.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

SENTENCES = [
    "The council approved the new bridge on Monday.",
    "Work on the bridge starts in May and ends next year.",
    "Summarize the documents in a few sentences for a general reader.",
    "The minister said the budget would grow by five percent.",
    "Storms closed schools and roads across the region on Tuesday.",
]
SPECIAL_TOKENS = ["<pad>", "</s>", "<unk>", "<s>"]
VOCAB_SIZE = 320
CHAT_TEMPLATE = (
    "{{ bos_token }}{% for message in messages %}<|{{ message['role'] }}|>\n"
    "{{ message['content'] }}</s>\n{% endfor %}"
    "{% if add_generation_prompt %}<|assistant|>\n{% endif %}"
)


def _mute_special_tokens(model: Any) -> None:
    """Zero the output rows of the special tokens, so the random model writes text to the end."""
    import torch

    with torch.no_grad():
        model.get_output_embeddings().weight[: len(SPECIAL_TOKENS)] = 0.0


def _train_tokenizer(*, prefix_bos: bool) -> Any:
    """A byte-level BPE tokenizer: pad=0, eos=1, unk=2, bos=3 (T5 expects pad 0 and eos 1)."""
    from tokenizers import Tokenizer, decoders, models, pre_tokenizers, processors, trainers

    tokenizer = Tokenizer(models.BPE(unk_token="<unk>"))
    tokenizer.pre_tokenizer = pre_tokenizers.ByteLevel(add_prefix_space=False)
    tokenizer.decoder = decoders.ByteLevel()
    trainer = trainers.BpeTrainer(
        vocab_size=VOCAB_SIZE,
        special_tokens=SPECIAL_TOKENS,
        initial_alphabet=pre_tokenizers.ByteLevel.alphabet(),
        show_progress=False,
    )
    tokenizer.train_from_iterator(SENTENCES, trainer=trainer)
    if prefix_bos:
        tokenizer.post_processor = processors.TemplateProcessing(
            single="<s> $A", pair="<s> $A <s> $B", special_tokens=[("<s>", 3)]
        )
    else:
        tokenizer.post_processor = processors.TemplateProcessing(
            single="$A </s>", pair="$A </s> $B </s>", special_tokens=[("</s>", 1)]
        )
    return tokenizer


def _wrap(tokenizer: Any, **extra: str) -> Any:
    from transformers import PreTrainedTokenizerFast

    return PreTrainedTokenizerFast(
        tokenizer_object=tokenizer,
        pad_token="<pad>",
        eos_token="</s>",
        unk_token="<unk>",
        bos_token="<s>",
        **extra,
    )


def build_tiny_t5(folder: Path) -> Path:
    """Save a tiny T5ForConditionalGeneration and its tokenizer to ``folder``."""
    import torch
    from transformers import T5Config, T5ForConditionalGeneration

    torch.manual_seed(0)
    tokenizer = _wrap(_train_tokenizer(prefix_bos=False))
    config = T5Config(
        vocab_size=VOCAB_SIZE,
        d_model=32,
        d_kv=8,
        d_ff=64,
        num_layers=2,
        num_decoder_layers=2,
        num_heads=4,
        pad_token_id=0,
        eos_token_id=1,
        decoder_start_token_id=0,
        tie_word_embeddings=False,
        initializer_factor=3.0,  # large random weights: outputs depend on the input
    )
    model = T5ForConditionalGeneration(config)
    _mute_special_tokens(model)
    model.save_pretrained(folder)
    tokenizer.save_pretrained(folder)
    return folder


def build_tiny_llama(folder: Path, *, chat_template: bool = True) -> Path:
    """Save a tiny LlamaForCausalLM and its tokenizer (with a chat template) to ``folder``."""
    import torch
    from transformers import LlamaConfig, LlamaForCausalLM

    torch.manual_seed(0)
    extra = {"chat_template": CHAT_TEMPLATE} if chat_template else {}
    tokenizer = _wrap(_train_tokenizer(prefix_bos=True), **extra)
    config = LlamaConfig(
        vocab_size=VOCAB_SIZE,
        hidden_size=32,
        intermediate_size=64,
        num_hidden_layers=2,
        num_attention_heads=4,
        num_key_value_heads=2,
        max_position_embeddings=2048,
        pad_token_id=0,
        eos_token_id=1,
        bos_token_id=3,
        initializer_range=1.0,  # large random weights: outputs depend on the input
    )
    model = LlamaForCausalLM(config)
    _mute_special_tokens(model)
    model.save_pretrained(folder)
    tokenizer.save_pretrained(folder)
    return folder
