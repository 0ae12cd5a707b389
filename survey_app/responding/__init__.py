"""Answering a survey: invitation links, the survey pages and storing a response anonymously."""
