"""OneWindow: the unified administrative service platform."""
