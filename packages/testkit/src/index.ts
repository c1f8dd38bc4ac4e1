// @tributary/testkit
export {};
