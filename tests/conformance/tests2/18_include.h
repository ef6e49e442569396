printf("included\n");
