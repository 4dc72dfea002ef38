/**
 * A Poplar test POP3 server for Spring tests: {@link dev.poplar.pop3.spring.boot.test.EnablePop3TestServer}.
 */
package dev.poplar.pop3.spring.boot.test;
