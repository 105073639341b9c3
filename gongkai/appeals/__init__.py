"""行政复议、行政诉讼 about disclosure work, linked to the cases they concern; 表四 is counted from them."""
