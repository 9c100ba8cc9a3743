"""Engine: prompts, grammars, decoding, chunking, figure-guided extraction, model loading and presets."""
