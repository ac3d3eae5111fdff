/* placeholder until the detectors land */
int main(void);
int main(void) { return 0; }
