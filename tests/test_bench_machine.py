"""The machine's figures: what a decode step reads, and the bandwidth it is read at."""

from __future__ import annotations

import pytest

from benchmarks import machine

torch = pytest.importorskip("torch")


def test_a_step_reads_the_output_layer_and_one_row_of_an_untied_embedding_table():
    from transformers import Qwen2Config, Qwen2ForCausalLM

    shape = dict(hidden_size=32, intermediate_size=64, num_hidden_layers=1, num_attention_heads=4)
    tied = Qwen2ForCausalLM(Qwen2Config(vocab_size=512, num_key_value_heads=2, tie_word_embeddings=True, **shape))
    untied = Qwen2ForCausalLM(Qwen2Config(vocab_size=512, num_key_value_heads=2, tie_word_embeddings=False, **shape))
    row = 32 * 4  # float32
    # tied: the one table is read whole, as the output layer; untied: the output layer whole, one input row
    assert machine.weight_bytes(untied) - machine.weight_bytes(tied) == row
    everything = sum(p.numel() * 4 for p in untied.parameters())
    assert machine.weight_bytes(untied) == everything - 512 * 32 * 4 + row
    # keys and values, per layer and KV head, head_dim 8, float32
    assert machine.kv_bytes_per_token(tied) == 2 * 1 * 2 * 8 * 4


def test_memory_bandwidth_counts_read_and_write():
    measured = machine.memory_bandwidth(2**20, repeats=2)
    assert measured["array_bytes"] == 2**20
    assert measured["bandwidth_gb_s"] == max(measured["numpy_copy_gb_s"], measured["torch_copy_gb_s"]) > 0


def test_machine_info_names_the_machine_and_the_versions():
    info = machine.machine_info()
    assert info["cores"] and info["cpu"] and info["versions"]["torch"]
    assert set(info["versions"]) >= {"torch", "transformers", "llguidance", "outlines"}
    assert machine.peak_rss_mib() > 0
