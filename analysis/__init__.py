"""What the answers mean: anonymity gate, aggregation, statistics and text analysis."""
