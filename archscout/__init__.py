"""archscout: neural architecture search that estimates performance before (or without) full training."""

__version__ = "0.1.0"
