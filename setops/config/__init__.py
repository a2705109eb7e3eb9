"""Configuration: line-aware YAML loading, the models of every file, semantic validation."""
