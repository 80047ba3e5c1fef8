"""What functions and classes do to resources (summaries), and light type inference."""
