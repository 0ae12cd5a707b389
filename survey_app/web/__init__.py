"""The Litestar web layer: one controller per journey, middleware, templates."""
