-- V2 of the test service "ideas": votes per idea.
ALTER TABLE ideas ADD COLUMN votes INTEGER NOT NULL DEFAULT 0;
