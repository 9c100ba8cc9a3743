"""pytest fixtures for the tiny model, built once per session through the real save/load path.

Use from a test module or conftest.py with ``from summarizer.testing.fixtures import *``.
"""

from __future__ import annotations

import pytest

__all__ = ["tiny_model_dir", "tiny_model", "tiny_tokenizer", "tiny_decoder"]


@pytest.fixture(scope="session")
def tiny_model_dir(tmp_path_factory):
    from summarizer.testing.tiny_model import build_tiny_model

    return build_tiny_model(tmp_path_factory.mktemp("tiny-model"))


@pytest.fixture(scope="session")
def tiny_tokenizer(tiny_model_dir):
    from transformers import AutoTokenizer

    return AutoTokenizer.from_pretrained(tiny_model_dir)


@pytest.fixture(scope="session")
def tiny_model(tiny_model_dir):
    import torch
    from transformers import AutoModelForCausalLM

    torch.set_num_threads(1)  # the model is tiny: threads cost more than they give
    return AutoModelForCausalLM.from_pretrained(tiny_model_dir)


@pytest.fixture(scope="session")
def tiny_decoder(tiny_model, tiny_tokenizer):
    from summarizer.engine.decode import Decoder

    decoder = Decoder(tiny_model, tiny_tokenizer)
    yield decoder
    decoder.close()
