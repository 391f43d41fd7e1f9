"""initgrade's autograder: grade a student notebook from outside the student's process."""
